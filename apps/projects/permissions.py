"""Who may do what in a project: the one table, read by REST views, sockets and services.

docs/architecture.md reproduces this table; tests/test_permissions.py checks both agree.
"""

OWNER, DIRECTOR, EDITOR, VIEWER = "owner", "director", "editor", "viewer"
ROLES = (
    (OWNER, "Owner"),
    (DIRECTOR, "Director"),
    (EDITOR, "Editor"),
    (VIEWER, "Viewer"),
)

# Actions
VIEW = "view"  # read the project, its boards, media and render jobs
EDIT = "edit"  # create, change, reorder and delete scenes, shots, panels, characters, locations
RENDER = "render"  # start, retry and cancel render jobs
APPROVE = "approve"  # set a shot's status to approved / changes requested
MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove people
MANAGE_PROJECT = "manage_project"  # rename, change project defaults, delete the project

ROLE_PERMISSIONS = {
    OWNER: frozenset({VIEW, EDIT, RENDER, APPROVE, MANAGE_MEMBERS, MANAGE_PROJECT}),
    DIRECTOR: frozenset({VIEW, EDIT, RENDER, APPROVE, MANAGE_MEMBERS}),
    EDITOR: frozenset({VIEW, EDIT, RENDER}),
    VIEWER: frozenset({VIEW}),
}


def role_allows(role, action):
    return action in ROLE_PERMISSIONS.get(role, frozenset())
