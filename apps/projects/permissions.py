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
COMMENT = "comment"  # write comments and draw annotations (and take part in reviews)
APPROVE = "approve"  # record an approval or a request for changes; set a shot's status to approved
SHARE = "share"  # create, list and revoke client share links; start review sessions of the project
MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove people
MANAGE_PROJECT = "manage_project"  # rename, change project defaults, delete the project

ROLE_PERMISSIONS = {
    OWNER: frozenset({VIEW, EDIT, RENDER, COMMENT, APPROVE, SHARE, MANAGE_MEMBERS, MANAGE_PROJECT}),
    DIRECTOR: frozenset({VIEW, EDIT, RENDER, COMMENT, APPROVE, SHARE, MANAGE_MEMBERS}),
    EDITOR: frozenset({VIEW, EDIT, RENDER, COMMENT}),
    VIEWER: frozenset({VIEW, COMMENT}),
}

# What a client share link lets its guests do, by the link's scope. Guests never get more than
# a viewer-plus-approval: they see and act only on the shots the link covers.
GUEST = "guest"
LINK_SCOPES = (
    ("view", "View"),
    ("comment", "View and comment"),
    ("approve", "View, comment and approve"),
)
LINK_SCOPE_PERMISSIONS = {
    "view": frozenset({VIEW}),
    "comment": frozenset({VIEW, COMMENT}),
    "approve": frozenset({VIEW, COMMENT, APPROVE}),
}


def role_allows(role, action):
    return action in ROLE_PERMISSIONS.get(role, frozenset())


def may_change_membership(actor_role, old_role, new_role):
    """Whether someone of `actor_role` may turn a membership of `old_role` into `new_role` (None
    for "not a member": an invitation or a removal). Managing members is not enough to touch the
    owner role: only an owner may grant, change or remove it, or a director could make
    themselves owner and then remove the real one. (That a project keeps at least one owner is
    checked by apps.projects.services, which sees every owner.)"""
    if OWNER in (old_role, new_role):
        return actor_role == OWNER
    return True


def grantable_roles(actor_role, old_role):
    """The roles someone of `actor_role` may give a membership now of `old_role` (None: a new
    member, an invitation), in the table's order: what the members screen offers in its role
    select and invite form. Empty for a role that may not manage members at all."""
    if not role_allows(actor_role, MANAGE_MEMBERS):
        return []
    return [role for role, _label in ROLES if may_change_membership(actor_role, old_role, role)]


def roles_with(action):
    """The member roles whose table row includes `action`, in the table's order."""
    return [role for role, _label in ROLES if role_allows(role, action)]
