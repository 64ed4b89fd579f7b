"""Resolving a caller's right to a project. Every REST view, socket and media download asks here.

An object of a project the caller does not belong to is reported as missing (404), never as
forbidden, so ids of other productions cannot be probed. A member whose role lacks the action
gets 403.
"""

from dataclasses import dataclass

from django.http import Http404
from rest_framework.exceptions import PermissionDenied

from .models import Membership, Project
from .permissions import GUEST, LINK_SCOPE_PERMISSIONS, role_allows


@dataclass(frozen=True)
class Access:
    """What one caller may do in one project: a member (by role) or a share-link guest (by the
    link's scope, and only on the shots the link covers)."""

    project_id: int
    role: str
    user: object = None
    guest: object = None  # apps.review.models.Guest, for a share-link guest
    scope: str = ""  # the link's scope, for a guest
    review_id: int | None = None  # the review this access is for (a guest's link, a session socket)
    link_id: int | None = None
    expires_at: object = None  # when a guest's link expires

    @property
    def is_guest(self):
        return self.role == GUEST

    def allows(self, action):
        if self.is_guest:
            return action in LINK_SCOPE_PERMISSIONS.get(self.scope, frozenset())
        return role_allows(self.role, action)

    @property
    def actor(self):
        """The user to record as the actor of a write (None for a guest: the row names the guest)."""
        return None if self.is_guest else self.user


def projects_for(user):
    if not user or not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user)


def access_for(user, project_id):
    """The caller's Access to the project, or None when they are not a member."""
    if not user or not user.is_authenticated or project_id is None:
        return None
    role = Membership.objects.filter(project_id=project_id, user=user).values_list("role", flat=True).first()
    return Access(project_id=project_id, role=role, user=user) if role else None


def require(user, project_id, action):
    """Access for `action`, raising 404 for non-members and 403 for a role that may not."""
    access = access_for(user, project_id)
    if access is None:
        raise Http404("No such project.")
    if not access.allows(action):
        raise PermissionDenied(f"Your role ({access.role}) may not {action.replace('_', ' ')} in this project.")
    return access


def authorize(caller, project_id, action, guests=True):
    """The one check a service makes before a write: `caller` (an Access, as a socket or view
    holds it, or the user a write is made for, whose membership is looked up here) may do
    `action` in project `project_id`. Http404 for a non-member or an Access to another project,
    PermissionDenied for a role (or link) without the action, and for any guest when `guests`
    is False (guests never edit boards or render, whatever their link says)."""
    access = caller if isinstance(caller, Access) else access_for(caller, project_id)
    if access is None or access.project_id != project_id:
        raise Http404("No such project.")
    if (access.is_guest and not guests) or not access.allows(action):
        raise PermissionDenied(f"Your role ({access.role}) may not {action.replace('_', ' ')} in this project.")
    return access
