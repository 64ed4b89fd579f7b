"""Render jobs end to end through the real interfaces: HTTP creates the job, the Celery worker
(solo pool, the same code as distributed mode) renders it with the blocking renderer, outputs
land in object storage as assets, progress and status reach the project room."""

import pytest
from asgiref.sync import sync_to_async

from apps.assets import storage
from apps.boards import services
from apps.renders.events import JobEvent, JobProgress
from apps.renders.models import RenderJob
from tests.conftest import wait_until
from tests.test_rooms import connect, next_of, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_worker_after")]


@pytest.fixture
def shot(project, owner):
    scene = services.create_scene(project, {"time_of_day": "NIGHT"}, owner)
    maya = services.create_character(project, {"name": "MAYA", "height_m": 1.68}, owner)
    return services.create_shot(scene, {"shot_size": "CU", "angle": "low", "lens_mm": 85, "characters": [maya], "duration_s": 1}, owner)


def finished(job_id):
    job = RenderJob.objects.get(pk=job_id)
    return job if job.status in RenderJob.FINISHED else None


def test_frame_render_stores_frame_depth_and_plan(api, shot, editor, render_worker, media_backend):
    response = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "kind": "frame", "parameters": {"width": 640}}, format="json")
    assert response.status_code == 201, response.content
    job = wait_until(lambda: finished(response.json()["id"]))
    assert job.status == "succeeded", job.error
    assert job.attempts == 1 and job.progress == 1.0
    body = api(editor).get(f"/api/render-jobs/{job.pk}/").json()
    kinds = {o["kind"]: o for o in body["outputs"]}
    assert set(kinds) == {"frame", "depth", "plan"}
    assert (kinds["frame"]["width"], kinds["frame"]["height"]) == (640, 264)  # 2.39:1, rounded to 8
    for output in body["outputs"]:
        assert storage.exists(f"media/{output['sha256'][:2]}/{output['sha256']}.png")


def test_unchanged_spec_and_seed_reuses_the_result(api, shot, editor, render_worker):
    first = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "seed": 7}, format="json").json()
    wait_until(lambda: finished(first["id"]))
    second = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "seed": 7}, format="json").json()
    assert second["status"] == "succeeded" and second["reused_from"] == first["id"]
    assert [o["sha256"] for o in second["outputs"]] == [o["sha256"] for o in api(editor).get(f"/api/render-jobs/{first['id']}/").json()["outputs"]]
    # A changed spec renders again.
    api(editor).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 50}, format="json")
    third = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "seed": 7}, format="json").json()
    assert third["status"] == "queued" and third["reused_from"] is None
    wait_until(lambda: finished(third["id"]))


def test_clip_render_makes_mp4_poster_and_thumbnail(api, shot, editor, render_worker):
    response = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "kind": "clip", "parameters": {"width": 320}}, format="json")
    job = wait_until(lambda: finished(response.json()["id"]), timeout=60)
    assert job.status == "succeeded", job.error
    outputs = {o.kind: o for o in job.outputs.all()}
    assert set(outputs) == {"clip", "poster", "thumbnail"}
    assert outputs["clip"].content_type == "video/mp4" and outputs["clip"].duration_s == pytest.approx(1.0, abs=0.05)
    assert storage.read(outputs["clip"].key)[4:8] == b"ftyp"


async def test_progress_and_status_reach_the_room(api, shot, editor, render_worker):
    room, connected, _ = await connect(editor, shot.project_id)
    assert connected
    await next_of(room, "hello")
    response = await sync_to_async(api(editor).post)("/api/render-jobs/", {"shot": shot.pk, "kind": "clip", "parameters": {"width": 320}}, format="json")
    job_id = response.json()["id"]
    statuses, progress, events = [], [], []
    while "succeeded" not in statuses and "failed" not in statuses:
        for message in await receive(room, timeout=30):
            if message["type"] == "change" and message["change"]["entity"] == "render_job":
                assert message["change"]["id"] == job_id
                events.append(JobEvent.model_validate(message["change"]["data"]))
                statuses.append(events[-1].status)
            elif message["type"] == "render":
                progress.append(JobProgress.model_validate(message["job"]).progress)
    assert statuses == ["queued", "running", "succeeded"]
    assert progress and progress[-1] == 1.0
    # The event that says the job succeeded carries what it made, as REST shows it: no re-read.
    rest = (await sync_to_async(api(editor).get)(f"/api/render-jobs/{job_id}/")).json()
    assert events[-1].outputs == rest["outputs"] and {o["kind"] for o in rest["outputs"]} == {"clip", "poster", "thumbnail"}
    assert events[0].outputs == [] and events[-1].seed == rest["seed"] and events[-1].created_at
    # A reused job's first event already carries the earlier job's outputs.
    again = (await sync_to_async(api(editor).post)("/api/render-jobs/", {"shot": shot.pk, "kind": "clip", "parameters": {"width": 320}}, format="json")).json()
    reused = JobEvent.model_validate((await next_of(room, "change"))["change"]["data"])
    assert (reused.id, reused.status, reused.reused_from, reused.outputs) == (again["id"], "succeeded", job_id, rest["outputs"])
    await room.disconnect()


def test_diffusion_without_weights_says_so(api, shot, editor, settings):
    settings.STUDIO_DIFFUSION_MODEL_PATH = ""
    response = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "backend": "diffusion"}, format="json")
    assert response.status_code == 400
    assert "No diffusion weights are configured" in response.json()["backend"][0]
    assert not RenderJob.objects.exists()


def test_render_rights_and_bad_input(api, shot, viewer, outsider, editor):
    assert api(viewer).post("/api/render-jobs/", {"shot": shot.pk}, format="json").status_code == 403
    assert api(outsider).post("/api/render-jobs/", {"shot": shot.pk}, format="json").status_code == 400
    bad = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "kind": "movie", "parameters": {"width": 99999}}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()
    bad = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "parameters": {"width": 99999}}, format="json")
    assert bad.status_code == 400 and "parameters.width" in bad.json()


def test_cancel_and_retry(api, shot, editor, owner):
    # Made directly, not enqueued: the job is cancelled while queued.
    job = RenderJob.objects.create(project=shot.project, shot=shot, spec={}, spec_hash="x" * 64)
    cancelled = api(editor).post(f"/api/render-jobs/{job.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api(editor).post(f"/api/render-jobs/{job.pk}/cancel/").status_code == 400
    RenderJob.objects.filter(pk=job.pk).update(spec=services.render_spec_for(shot), parameters={"width": 320, "height": 136})
    retried = api(editor).post(f"/api/render-jobs/{job.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert RenderJob.objects.get(pk=job.pk).error == ""


def test_a_job_whose_worker_died_is_requeued_and_finishes(api, shot, editor, render_worker, settings):
    from django.utils import timezone

    from apps.renders.services import requeue_stale_jobs

    settings.RENDER_JOB_STALE_SECONDS = 1
    spec = services.render_spec_for(shot)
    job = RenderJob.objects.create(
        project=shot.project,
        shot=shot,
        spec=spec,
        spec_hash="y" * 64,
        status="running",
        attempts=1,
        parameters={"width": 320, "height": 136},
        heartbeat_at=timezone.now() - timezone.timedelta(seconds=30),
    )
    assert requeue_stale_jobs() == [job.pk]
    job = wait_until(lambda: finished(job.pk))
    assert job.status == "succeeded" and job.attempts == 2


def test_a_render_asked_for_while_the_broker_is_away_is_sent_later(api, shot, editor, render_worker, settings, monkeypatch):
    """The job is saved and answered (201, queued) though its message cannot be sent; once it
    has waited a stale window the reaper sends it, and it renders."""
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from apps.renders.services import requeue_stale_jobs
    from studio.celery import app

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as broker_away:
        broker_away.setattr(app, "send_task", unreachable)
        response = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "parameters": {"width": 320}}, format="json")
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert RenderJob.objects.get(pk=job_id).status == "queued"
    settings.RENDER_JOB_STALE_SECONDS = 30
    assert requeue_stale_jobs() == []  # not yet: it may simply be waiting its turn
    RenderJob.objects.filter(pk=job_id).update(created_at=timezone.now() - timezone.timedelta(seconds=60))
    assert requeue_stale_jobs() == [job_id]
    job = wait_until(lambda: finished(job_id))
    assert job.status == "succeeded" and job.attempts == 1
    assert requeue_stale_jobs() == []


def test_a_second_message_for_a_job_another_worker_runs_does_nothing(shot):
    """The reaper may send a queued job again while a worker has just started it."""
    from django.utils import timezone

    from apps.renders.tasks import render_blocking

    job = RenderJob.objects.create(
        project=shot.project,
        shot=shot,
        spec=services.render_spec_for(shot),
        spec_hash="z" * 64,
        status="running",
        attempts=1,
        parameters={"width": 320, "height": 136},
        heartbeat_at=timezone.now(),
    )
    assert render_blocking.apply(args=[job.pk]).result is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.outputs.count()) == ("running", 1, 0)


def test_cancelling_a_running_render_stops_it(api, shot, editor, render_worker):
    api(editor).patch(f"/api/shots/{shot.pk}/", {"duration_s": 60, "movement": "arc"}, format="json")
    response = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "kind": "clip", "parameters": {"width": 640}}, format="json")
    job_id = response.json()["id"]
    wait_until(lambda: RenderJob.objects.filter(pk=job_id, status="running", progress__gt=0).exists())
    cancelled = api(editor).post(f"/api/render-jobs/{job_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    import time

    time.sleep(1.0)  # the worker notices at its next progress report and stops
    job = RenderJob.objects.get(pk=job_id)
    assert job.status == "cancelled" and job.progress < 1.0
    assert not job.outputs.exists()
    # The worker is free again: the next render runs.
    again = api(editor).post("/api/render-jobs/", {"shot": shot.pk, "kind": "frame", "parameters": {"width": 320}}, format="json").json()
    assert wait_until(lambda: finished(again["id"])).status == "succeeded"
