"""Invites: bringing people into a project with a role, by email or by a link.

An invite carries a random token; the row keeps only its hash (models.token_digest), so the link
is shown once to its maker (and mailed, for an invite by email). Making one obeys the same rule
as every membership write (permissions.grantable_roles: a director cannot invite an owner).
Accepting one makes the person a member, recorded as a membership change so open rooms hear it.
Wrong tokens count against the caller's address like wrong passwords (apps/projects/limits.py).
"""

import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError

from apps.changes.log import lock_project, record_change
from apps.projects import limits
from apps.projects.models import Membership
from apps.projects.permissions import ROLES, grantable_roles
from apps.projects.services import public_url

from .models import Invite, token_digest
from .services import _membership_event

ROLE_LABELS = dict(ROLES)
logger = logging.getLogger(__name__)


class InviteClosed(APIException):
    """A real invite that can no longer be used: withdrawn, used or expired."""

    status_code = 410
    default_detail = "This invite can no longer be used; ask the production for a new one."
    default_code = "invite_closed"


def invite_path(token):
    return f"/invites/{token}"


def _role_of(project_id, user):
    if user is None:
        return None
    return Membership.objects.filter(project_id=project_id, user=user).values_list("role", flat=True).first()


def create_invite(project, role, email, actor, request):
    """A new invite and its link (the token's only appearance). With an email, the link is also
    mailed there (`invite.mailed` says whether that worked)."""
    if role not in grantable_roles(_role_of(project.pk, actor), None):
        raise PermissionDenied("Only an owner may invite someone as owner.")
    token = secrets.token_urlsafe(32)
    url = public_url(request, invite_path(token))
    invite = Invite.objects.create(
        project=project,
        role=role,
        email=email,
        token_hash=token_digest(token),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITE_VALID_DAYS),
    )
    invite.mailed = bool(email) and _mail_invite(invite, url, actor)
    return invite, url


def _mail_invite(invite, url, actor):
    """Whether the mail went. A mail server that refuses is logged, not a 5xx: the invite stands
    and its maker still has the link to hand on."""
    inviter = actor.get_full_name() or actor.username
    role = ROLE_LABELS[invite.role].lower()
    expires = invite.expires_at.strftime("%d %B %Y")
    try:
        send_mail(
            subject=f"{inviter} invites you to {invite.project.name} on Previs Studio",
            message=(
                f"{inviter} invites you to join {invite.project.name} as {role}.\n\n"
                f"Open this link to sign up, or to join with the login you already have:\n{url}\n\n"
                f"The link works once, until {expires}. If you did not expect it, ignore this email."
            ),
            from_email=None,
            recipient_list=[invite.email],
        )
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not mail invite %s to %s", invite.pk, invite.email)
        return False
    return True


def revoke_invite(invite, actor):
    """Withdraw an invite (kept, with when), so its link answers "withdrawn", not "no such invite"."""
    if invite.role not in grantable_roles(_role_of(invite.project_id, actor), None):
        raise PermissionDenied("Only an owner may withdraw an invite to the owner role.")
    with transaction.atomic():
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        if invite.accepted_at is None and invite.revoked_at is None:
            invite.revoked_at = timezone.now()
            invite.save(update_fields=["revoked_at"])
    return invite


def find_invite(request, token):
    """The invite a link names. A token nobody issued is a 404 and counts as a wrong guess
    against the caller's address; past the login budget, 429 before the token is looked up."""
    address = limits.client_address(request)
    limits.refuse_if_spent(
        "invite-address", address, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S, "Too many wrong invite links from your address; try again later."
    )
    invite = Invite.objects.select_related("project", "created_by", "accepted_by").filter(token_hash=token_digest(token)).first()
    if invite is None:
        limits.count_miss("invite-address", address, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S)
        raise NotFound("There is no such invite. Check that the whole link was copied, or ask for a new one.")
    return invite


def check_open(invite, now=None):
    status = invite.status_at(now or timezone.now())
    if status == "revoked":
        raise InviteClosed("This invite was withdrawn. Ask the production for a new one.")
    if status == "accepted":
        raise InviteClosed("This invite was already used. Sign in with the login made with it, or ask for a new invite.")
    if status == "expired":
        raise InviteClosed(f"This invite expired on {invite.expires_at:%d %B %Y}. Ask the production for a new one.")


def accept_invite(invite, user):
    """`user` joins the invite's project with its role. The inviter must still be allowed to
    grant that role now (someone demoted since cannot bring people in through old links)."""
    with transaction.atomic():
        lock_project(invite.project_id)
        invite = Invite.objects.select_for_update().select_related("project").get(pk=invite.pk)
        check_open(invite)
        if invite.role not in grantable_roles(_role_of(invite.project_id, invite.created_by), None):
            raise InviteClosed(
                "Whoever sent this invite may no longer bring people in as " + ROLE_LABELS[invite.role].lower() + ". Ask the production for a new one."
            )
        current = _role_of(invite.project_id, user)
        if current is not None:
            raise ValidationError(
                {
                    "non_field_errors": [
                        f"You are already in {invite.project.name} (as {ROLE_LABELS[current].lower()}). "
                        "To change your role, ask one of its owners or directors."
                    ]
                }
            )
        membership = Membership.objects.create(project=invite.project, user=user, role=invite.role)
        invite.accepted_by, invite.accepted_at = user, timezone.now()
        invite.save(update_fields=["accepted_by", "accepted_at"])
        record_change(invite.project_id, user, "create", "membership", membership.pk, _membership_event(membership))
    return membership


def sign_up(invite, username, email, password, first_name="", last_name=""):
    """A new studio login made through an invite, in the invite's project at once. Nothing is
    kept if the invite cannot be used (the login is made in the same transaction)."""
    with transaction.atomic():
        check_open(invite)
        user = get_user_model().objects.create_user(username=username, email=email, password=password, first_name=first_name, last_name=last_name)
        accept_invite(invite, user)
    return user
