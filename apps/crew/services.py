"""A project and its crew: creating a project, its settings, deleting it, its members and their
roles. Every write here is recorded in the change log, so open rooms see it."""

from django.db import transaction
from rest_framework.exceptions import PermissionDenied, ValidationError

from apps.changes import editing
from apps.changes.broadcast import broadcast
from apps.changes.log import lock_project, record_change
from apps.projects.concurrency import StaleVersion
from apps.projects.models import Membership, Project
from apps.projects.permissions import OWNER, may_change_membership


def project_wire(project, field_names):
    data = {name: getattr(project, name) for name in ("name", "description", "fps", "aspect_ratio", "sensor", "style_prompt", "seed")}
    return data if field_names is None else {name: data[name] for name in field_names if name in data}


def create_project(owner, data):
    with transaction.atomic():
        project = Project.objects.create(**data, created_by=owner, updated_by=owner)
        Membership.objects.create(project=project, user=owner, role=OWNER)
        record_change(project.pk, owner, "create", "project", project.pk, {"version": project.version, "fields": project_wire(project, None)})
    return project


def update_project(project, data, actor, version):
    return editing.update_fields(project, data, actor=actor, expected_version=version, entity="project", represent=project_wire)


def delete_project(project, actor, version):
    with transaction.atomic():
        row = Project.objects.select_for_update().get(pk=project.pk)
        if version is not None and row.version != version:
            raise StaleVersion(row)
        row.delete()


def _membership_event(membership):
    return {"user": membership.user_id, "username": membership.user.username, "role": membership.role}


def _check_owner_rule(project_id, actor, old_role, new_role):
    """Asked by every membership write below, whichever door it came through (the Django admin,
    for staff only, edits rows directly and is trusted)."""
    actor_role = Membership.objects.filter(project_id=project_id, user=actor).values_list("role", flat=True).first()
    if not may_change_membership(actor_role, old_role, new_role):
        raise PermissionDenied("Only an owner may grant, change or remove the owner role.")


def add_member(project, user, role, actor):
    with transaction.atomic():
        lock_project(project.pk)
        _check_owner_rule(project.pk, actor, None, role)
        membership, created = Membership.objects.get_or_create(project=project, user=user, defaults={"role": role})
        if not created:
            raise ValidationError({"username": [f"{user.username} is already a member ({membership.role})."]})
        record_change(project.pk, actor, "create", "membership", membership.pk, _membership_event(membership))
    return membership


def _owners_left(project, excluding):
    return Membership.objects.filter(project=project, role=OWNER).exclude(pk=excluding.pk).exists()


def change_role(membership, role, actor):
    with transaction.atomic():
        lock_project(membership.project_id)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_owner_rule(membership.project_id, actor, membership.role, role)
        if membership.role == OWNER and role != OWNER and not _owners_left(membership.project, membership):
            raise ValidationError({"role": ["A project keeps at least one owner; make someone else owner first."]})
        membership.role = role
        membership.save(update_fields=["role"])
        record_change(membership.project_id, actor, "update", "membership", membership.pk, _membership_event(membership))
        project_id, user_id = membership.project_id, membership.user_id
        transaction.on_commit(lambda: broadcast(project_id, {"type": "room.access_changed", "user": user_id}))
    return membership


def remove_member(membership, actor):
    with transaction.atomic():
        lock_project(membership.project_id)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_owner_rule(membership.project_id, actor, membership.role, None)
        if membership.role == OWNER and not _owners_left(membership.project, membership):
            raise ValidationError({"role": ["A project keeps at least one owner; make someone else owner first."]})
        pk, project_id, user_id = membership.pk, membership.project_id, membership.user_id
        membership.delete()
        record_change(project_id, actor, "delete", "membership", pk, {"user": user_id})
        # Open sockets of that person re-check their access at once (and close).
        transaction.on_commit(lambda: broadcast(project_id, {"type": "room.access_changed", "user": user_id}))
