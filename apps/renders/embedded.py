"""The embedded studio's worker: a Celery worker thread inside the web process.

Why in-process: the embedded studio promises no outside services, and its channel layer is
in-memory, so render progress can only reach the rooms from inside the same process. A real
Celery WorkController (solo pool) consumes an in-memory broker here, so the task code, routing,
acks and retries are exactly those of distributed mode; only the transport differs. Jobs left
queued or running by a previous run are put back on the queue at start (the in-memory broker
forgets its messages when the process stops).
"""

import logging
import threading

from celery.worker import WorkController

log = logging.getLogger(__name__)
_started = None


def start_embedded_worker(reaper_interval_s=60):
    global _started
    if _started is not None:
        return _started
    from studio.celery import QUEUES, app

    worker = WorkController(
        app=app,
        hostname="embedded@studio",
        pool="solo",
        concurrency=1,
        queues=list(QUEUES),
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel="INFO",
    )
    thread = threading.Thread(target=worker.start, name="celery-embedded-worker", daemon=True)
    thread.start()
    _started = worker

    from apps.renders.services import requeue_stale_jobs, start_reaper

    requeued = requeue_stale_jobs(include_queued=True)
    if requeued:
        log.info("re-queued render jobs left from the last run: %s", requeued)
    start_reaper(reaper_interval_s)
    return worker
