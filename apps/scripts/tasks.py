"""Celery glue for script imports (routed to the cpu queue, the default, by studio/celery.py).
The job row is the truth; a redelivered message finds it already taken and does nothing."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services


def _user(user_id):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@shared_task(name="apps.scripts.tasks.plan_import", acks_late=True, reject_on_worker_lost=True)
def plan_import(job_id, user_id=None):
    job = services.plan_import(job_id, _user(user_id))
    return job.pk if job else None


@shared_task(name="apps.scripts.tasks.apply_import", acks_late=True, reject_on_worker_lost=True)
def apply_import(job_id, user_id=None):
    job = services.apply_import(job_id, _user(user_id))
    return job.pk if job else None
