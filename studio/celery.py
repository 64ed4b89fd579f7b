"""The Celery app, its queues and the routing of every task (the one place that says which
task runs where).

Queues:
  cpu    blocking renders and video encoding; any number of prefork or solo workers.
  gpu    diffusion renders; one solo worker per GPU, prefetch 1 (a GPU holds one pipeline).
  export PDFs, animatics, OTIO; CPU-bound, kept apart so exports never wait behind renders.
"""

import logging
import os

from celery import Celery
from kombu import Queue
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("cpu", "gpu", "export")

app.conf.update(
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="cpu",
    task_routes={
        "apps.renders.tasks.render_blocking": {"queue": "cpu"},
        "apps.renders.tasks.render_diffusion": {"queue": "gpu"},
        "apps.*.tasks.export_*": {"queue": "export"},
    },
    # A job is acknowledged only when it finished; a worker that dies mid-job leaves the
    # message on the broker, which hands it to another worker. Tasks are idempotent for this.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # Redis redelivers an unacknowledged message after the visibility timeout: keep it above
    # the longest job or a long diffusion clip would be started twice.
    broker_transport_options={"visibility_timeout": int(os.environ.get("RENDER_JOB_MAX_SECONDS", 7200)) + 600},
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    task_serializer="json",
    accept_content=["json"],
)
app.autodiscover_tasks()  # each app's tasks.py

log = logging.getLogger(__name__)


def send(task_name, *args):
    """Send a task to the queue its route names. True if the broker took it. A broker that
    cannot be reached is not the caller's failure: the job row is already stored, so no request
    answers 5xx for it; each kind of job decides what then happens to it (sent again later by a
    reaper, or marked failed)."""
    try:
        app.send_task(task_name, args=list(args))
    except OperationalError:
        log.warning("%s%s: the broker is unreachable", task_name, tuple(args), exc_info=True)
        return False
    return True
