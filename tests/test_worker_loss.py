"""A render worker process killed mid-job: the job is picked up again by another worker and
finishes, is never left "running", and its retry writes no duplicate outputs. Real Celery worker
processes on a Redis broker, against the test database."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery

from apps.assets.models import Asset
from apps.boards import services
from apps.renders import services as render_services
from apps.renders.models import RenderJob
from tests.conftest import database_url_for_subprocess, wait_until

pytestmark = [pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/12"


def start_worker(media_root, name):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_BROKER_URL": BROKER,
        "STUDIO_EMBEDDED_WORKER": "0",
        "STUDIO_MEDIA_ROOT": str(media_root),
        "RENDER_JOB_STALE_SECONDS": "2",
        "STUDIO_LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.pop("S3_BUCKET", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "studio",
            "worker",
            "-Q",
            "cpu",
            "--pool",
            "solo",
            "-n",
            f"{name}@test",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(f"/tmp/worker-{name}.log", "wb"),
    )


def test_killed_worker_job_is_picked_up_again(project, owner, _isolated_media):
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    scene = services.create_scene(project, {}, owner)
    shot = services.create_shot(scene, {"movement": "dolly_in", "duration_s": 30, "characters": []}, owner)
    spec = services.render_spec_for(shot)
    job = RenderJob.objects.create(project=project, shot=shot, kind="clip", spec=spec, spec_hash="k" * 64, parameters={"width": 640, "height": 272})
    broker = Celery(broker=BROKER)
    first = start_worker(_isolated_media, "first")
    second = None
    try:
        broker.send_task("apps.renders.tasks.render_blocking", args=[job.pk], queue="cpu")
        wait_until(lambda: RenderJob.objects.filter(pk=job.pk, status="running", progress__gt=0.05).exists(), timeout=60)
        first.send_signal(signal.SIGKILL)  # the machine dies mid-render
        first.wait(timeout=10)
        assert RenderJob.objects.get(pk=job.pk).status == "running"
        second = start_worker(_isolated_media, "second")  # its start re-queues jobs that stopped reporting
        job = wait_until(lambda: (j := RenderJob.objects.get(pk=job.pk)).status in RenderJob.FINISHED and j, timeout=120)
        assert job.status == "succeeded", job.error
        assert job.attempts == 2
        assert sorted(Asset.objects.filter(render_job=job).values_list("kind", flat=True)) == ["clip", "poster", "thumbnail"]
        # Running it once more (a late redelivery of the first message) changes nothing.
        assert render_services.execute_job(job.pk, lambda *args: pytest.fail("a finished job ran again")) is None
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
