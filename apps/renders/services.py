"""Render jobs: creating them, running them (called by the Celery tasks), cancelling, retrying,
and rescuing jobs whose worker died.

A job row moves queued → running → succeeded / failed / cancelled. Workers may die at any
point; the task is delivered again (acks late) or the reaper re-queues it, and running it again
is harmless because outputs are content-addressed and a finished job is never run twice.
Messages can be lost too (a broker restarted without persistence forgets its queues; one away
when a job is made never gets it): the reaper sends a job again that waited queued too long,
and only a queued job is started, so a second message for one job does nothing.
"""

import hashlib
import json
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.assets.serializers import AssetSerializer
from apps.assets.services import store_asset
from apps.changes.broadcast import broadcast, render_frame
from apps.changes.log import lock_project, record_change
from apps.projects.access import authorize
from apps.projects.permissions import RENDER
from previs.vocabulary import ASPECT_RATIOS
from workers.renderers import RenderCancelled

from .events import JobEvent, JobProgress
from .models import RenderJob

log = logging.getLogger(__name__)

# (name, lowest, highest, types, message) for the render parameters a caller may set.
PARAMETER_RULES = (
    ("width", 64, 2048, int, "Use a whole number of pixels from 64 to 2048."),
    ("height", 64, 2048, int, "Use a whole number of pixels from 64 to 2048."),
    ("steps", 1, 150, int, "Denoising steps: a whole number from 1 to 150."),
    ("strength", 0.0, 1.0, (int, float), "How far the picture may leave the grey-box frame: 0 to 1."),
    ("guidance_scale", 0.0, 30.0, (int, float), "Prompt guidance: 0 to 30."),
    ("controlnet_scale", 0.0, 2.0, (int, float), "How strictly the layout is followed: 0 to 2."),
)
DEFAULT_SIZES = {RenderJob.FRAME: (1280, 720), RenderJob.CLIP: (960, 540)}
# A styled render's options when the caller leaves them out; written into the job (and so its
# reuse key) when it is made, so a later change of a default never passes off an old picture.
DIFFUSION_DEFAULTS = {"steps": 20, "guidance_scale": 7.0, "strength": 0.75, "controlnet_scale": 1.0}


@dataclass
class RenderOutput:
    kind: str  # an Asset kind
    data: bytes
    content_type: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


@dataclass
class RenderResult:
    outputs: list[RenderOutput] = field(default_factory=list)


def diffusion_configured():
    path = settings.STUDIO_DIFFUSION_MODEL_PATH
    return bool(path) and os.path.isdir(path)


# Why a styled render cannot be made here: the API's 400 and the page's disabled buttons (through
# capabilities(), carried with the vocabulary) say the same.
NO_DIFFUSION = (
    "No diffusion weights are configured on this studio (STUDIO_DIFFUSION_MODEL_PATH is unset or missing), so a "
    "styled render cannot be made. Use the blocking backend, or ask your studio engineer to mount a diffusers "
    "model and a depth ControlNet."
)


def capabilities():
    """What this studio can render, for the page: styled renders need diffusion weights."""
    configured = diffusion_configured()
    return {"styled_renders": configured, "styled_renders_reason": None if configured else NO_DIFFUSION}


def spec_hash(spec, parameters):
    canonical = json.dumps({"spec": spec, "parameters": parameters}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def frame_size(kind, parameters, aspect_ratio):
    """Width and height in pixels: asked for, or the default width at the shot's aspect ratio."""
    default_width, _ = DEFAULT_SIZES[kind]
    width = int(parameters.get("width") or default_width)
    height = int(parameters.get("height") or round(width / ASPECT_RATIOS.get(aspect_ratio, 16 / 9)))
    # H.264 in 4:2:0 needs even sizes and diffusion multiples of 8: round down to 8.
    return max(64, width - width % 8), max(64, height - height % 8)


def job_event(job, **progress):
    """The room's word on a job (apps.renders.events): with its outputs once it succeeded, with
    the progress counts for a tick."""
    outputs = AssetSerializer(outputs_of(job), many=True).data if job.status == RenderJob.SUCCEEDED else []
    event = JobProgress if progress else JobEvent
    return event(
        id=job.pk,
        shot=job.shot_id,
        panel=job.panel_id,
        kind=job.kind,
        backend=job.backend,
        status=job.status,
        progress=round(job.progress, 4),
        error=job.error,
        attempts=job.attempts,
        seed=job.seed,
        created_at=job.created_at.isoformat(),
        reused_from=job.reused_from_id,
        outputs=outputs,
        **progress,
    ).model_dump(mode="json")


def prompt_for(shot, spec):
    """(prompt, negative prompt) of a styled render of the shot: its action, place, time of day,
    cast's descriptions, framing, the spec's lens and the project's style."""
    from workers.renderers.diffusion import build_prompt

    scene = shot.scene
    location = shot.location or scene.location
    return build_prompt(
        action=shot.description,
        location=location.name if location else "",
        time_of_day=scene.time_of_day,
        characters=[{"name": c.name, "description": c.description} for c in shot.characters.all()],
        style=shot.project.style_prompt,
        shot_size_label=shot.get_shot_size_display(),
        angle_label=shot.get_angle_display(),
        lens_mm=spec["camera"]["lens_mm"],
    )


def renderer(caller, project_id):
    """The render gate, whatever asks (REST, the coverage planner): the caller's Access if they
    may render in the project (404 for a non-member, 403 for a role without RENDER; a share-link
    guest never renders)."""
    return authorize(caller, project_id, RENDER, guests=False)


def parameter_errors(parameters):
    """{"parameters.<name>": [message]} for every render parameter out of its rules."""
    errors = {}
    for name, low, high, kinds, message in PARAMETER_RULES:
        value = parameters.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high):
            errors[f"parameters.{name}"] = [message]
    for name in ("prompt", "negative_prompt"):
        if name in parameters and (not isinstance(parameters[name], str) or len(parameters[name]) > 2000):
            errors[f"parameters.{name}"] = ["Text of at most 2,000 characters."]
    unknown = set(parameters) - {rule[0] for rule in PARAMETER_RULES} - {"prompt", "negative_prompt"}
    return errors | {f"parameters.{name}": ["Unknown parameter."] for name in unknown}


def create_job(*, shot, kind, backend, seed, parameters, actor, panel=None):
    """A render of `shot` (or of one of its panels). `actor` is the caller (an Access or the
    user asking), checked by the render gate before anything else."""
    from apps.boards.services import render_spec_for

    access = renderer(actor, shot.project_id)
    actor = access.actor
    if panel is not None and panel.shot_id != shot.pk:
        raise ValidationError({"panel": ["That panel is not a panel of this shot."]})
    if backend == RenderJob.DIFFUSION and not diffusion_configured():
        raise ValidationError({"backend": [NO_DIFFUSION]})
    parameters = dict(parameters or {})
    errors = parameter_errors(parameters)
    if errors:
        raise ValidationError(errors)
    spec = render_spec_for(shot)
    parameters["width"], parameters["height"] = frame_size(kind, parameters, shot.aspect_ratio)
    if backend == RenderJob.DIFFUSION:
        # The prompt is decided now, from the shot as it is, and goes into the reuse key with the
        # spec and the seed: a shot whose action or cast's descriptions changed renders anew,
        # and a job run later renders what was asked for.
        prompt, negative = prompt_for(shot, spec)
        parameters["prompt"] = parameters.get("prompt") or prompt
        parameters["negative_prompt"] = parameters.get("negative_prompt") or negative
        parameters = {**DIFFUSION_DEFAULTS, **parameters}
    if seed is None:
        # The same cast gets the same seed in every shot (with the same descriptions in the
        # prompt, that is what keeps a character's look from shot to shot).
        from workers.renderers.diffusion import seed_for

        seed = seed_for(shot.project.seed, [str(pk) for pk in shot.characters.values_list("pk", flat=True)])
    digest = spec_hash(spec, {**parameters, "kind": kind, "backend": backend, "seed": seed})
    with transaction.atomic():
        lock_project(shot.project_id)
        job = RenderJob.objects.create(
            project_id=shot.project_id,
            shot=shot,
            panel=panel,
            kind=kind,
            backend=backend,
            parameters=parameters,
            spec=spec,
            spec_hash=digest,
            seed=seed,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        previous = (
            RenderJob.objects.filter(spec_hash=digest, project_id=shot.project_id, status=RenderJob.SUCCEEDED, reused_from__isnull=True)
            .exclude(pk=job.pk)
            .order_by("-finished_at")
            .first()
        )
        if previous is not None:
            # Same spec, same seed, same backend: the stored result is exactly what a render
            # would produce again, so point at it instead of spending a worker on it.
            job.reused_from = previous
            job.status = RenderJob.SUCCEEDED
            job.progress = 1.0
            job.finished_at = timezone.now()
            job.save(update_fields=["reused_from", "status", "progress", "finished_at"])
        record_change(shot.project_id, actor, "create", "render_job", job.pk, job_event(job), shot_id=job.shot_id)
        if job.status == RenderJob.QUEUED:
            transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job):
    """Send the job to its queue. The job is already stored, queued: if the broker cannot be
    reached now, the reaper sends it later (requeue_stale_jobs)."""
    from studio.celery import send

    send(job.task_name, job.pk)


def cancel_job(job, actor):
    actor = renderer(actor, job.project_id).actor
    with transaction.atomic():
        lock_project(job.project_id)
        row = RenderJob.objects.select_for_update().get(pk=job.pk)
        if row.status in RenderJob.FINISHED:
            raise ValidationError({"status": [f"The job already {row.status}; there is nothing to cancel."]})
        row.status = RenderJob.CANCELLED
        row.finished_at = timezone.now()
        row.save(update_fields=["status", "finished_at"])
        record_change(row.project_id, actor, "update", "render_job", row.pk, job_event(row), shot_id=row.shot_id)
    return row


def retry_job(job, actor):
    actor = renderer(actor, job.project_id).actor
    with transaction.atomic():
        lock_project(job.project_id)
        row = RenderJob.objects.select_for_update().get(pk=job.pk)
        if row.status not in (RenderJob.FAILED, RenderJob.CANCELLED):
            raise ValidationError({"status": ["Only a failed or cancelled job can be retried."]})
        row.status, row.progress, row.error, row.finished_at = RenderJob.QUEUED, 0.0, "", None
        row.save(update_fields=["status", "progress", "error", "finished_at"])
        record_change(row.project_id, actor, "update", "render_job", row.pk, job_event(row), shot_id=row.shot_id)
        transaction.on_commit(lambda: enqueue(row))
    return row


def outputs_of(job):
    source = job.reused_from or job
    return list(source.outputs.all())


# --- Running a job (inside a worker) --------------------------------------------------------


def _claim(job_id, worker_name):
    """Mark the job running for this worker, or None when there is nothing to do."""
    project_id = RenderJob.objects.filter(pk=job_id).values_list("project_id", flat=True).first()
    if project_id is None:
        return None
    with transaction.atomic():
        lock_project(project_id)
        job = RenderJob.objects.select_for_update().select_related("project").filter(pk=job_id).first()
        if job is None or job.status != RenderJob.QUEUED:
            # A late redelivery for a job that ended, or a second message (sent again by the
            # reaper) for one another worker runs: nothing to do. A running job whose worker
            # dies is put back in the queue by the reaper, and started from there.
            return None
        if job.attempts >= settings.RENDER_JOB_MAX_ATTEMPTS:
            job.status, job.error, job.finished_at = RenderJob.FAILED, f"Gave up after {job.attempts} attempts (the worker kept dying).", timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            record_change(job.project_id, None, "update", "render_job", job.pk, job_event(job), shot_id=job.shot_id)
            return None
        job.status = RenderJob.RUNNING
        job.attempts += 1
        job.worker = worker_name
        job.started_at = job.heartbeat_at = timezone.now()
        job.progress = 0.0
        job.error = ""
        job.save(update_fields=["status", "attempts", "worker", "started_at", "heartbeat_at", "progress", "error"])
        record_change(job.project_id, None, "update", "render_job", job.pk, job_event(job), shot_id=job.shot_id)
        return job


class Progress:
    """Reports progress to the room and the job row, at most a few times a second.

    Progress ticks are ephemeral (broadcast, not logged); the row keeps the latest value and
    doubles as the worker's heartbeat. Checking for cancellation rides on the same writes.
    """

    INTERVAL_S = 0.25

    def __init__(self, job):
        self.job = job
        self.last_report = 0.0
        self.cancelled = False

    def __call__(self, done, total, preview_url=None):
        now = time.monotonic()
        if now - self.last_report < self.INTERVAL_S and done < total and preview_url is None:
            return
        self.last_report = now
        self.job.progress = min(1.0, done / total) if total else 0.0
        updated = RenderJob.objects.filter(pk=self.job.pk, status=RenderJob.RUNNING).update(progress=self.job.progress, heartbeat_at=timezone.now())
        if not updated:
            self.cancelled = True
        broadcast(self.job.project_id, render_frame(job_event(self.job, done=done, total=total, preview=preview_url)))

    def should_cancel(self):
        return self.cancelled


def execute_job(job_id, render):
    """Run job `job_id` with `render(job, width, height, progress, should_cancel) -> RenderResult`."""
    worker_name = f"{socket.gethostname()}:{os.getpid()}"
    job = _claim(job_id, worker_name)
    if job is None:
        return None
    progress = Progress(job)
    width, height = job.parameters["width"], job.parameters["height"]
    try:
        result = render(job, width, height, progress, progress.should_cancel)
    except RenderCancelled:
        log.info("render job %s cancelled", job.pk)
        return None
    except Exception as error:  # a render that fails fails for good: report why, do not loop
        log.exception("render job %s failed", job.pk)
        _finish(job, RenderJob.FAILED, error=f"{type(error).__name__}: {error}")
        return None
    for output in result.outputs:
        store_asset(
            project_id=job.project_id,
            kind=output.kind,
            data=output.data,
            content_type=output.content_type,
            render_job=job,
            width=output.width,
            height=output.height,
            duration_s=output.duration_s,
        )
    _finish(job, RenderJob.SUCCEEDED)
    return job


def _finish(job, status, error=""):
    with transaction.atomic():
        lock_project(job.project_id)
        updated = RenderJob.objects.filter(pk=job.pk, status=RenderJob.RUNNING).update(
            status=status, error=error, progress=1.0 if status == RenderJob.SUCCEEDED else job.progress, finished_at=timezone.now()
        )
        if not updated:
            return  # cancelled meanwhile: the cancel already told the room
        job.refresh_from_db()
        record_change(job.project_id, None, "update", "render_job", job.pk, job_event(job), shot_id=job.shot_id)


def requeue_stale_jobs(include_queued=False):
    """Put back on the queue jobs whose worker stopped reporting (killed, machine lost).

    Jobs queued for a whole stale window are sent again too, because their message may be lost
    (a Redis restarted without persistence, a broker that was away when the job was made);
    for a queued job `heartbeat_at` says when it was last sent. A job that merely waits its turn
    gets a second message, which does nothing once the first has started it. With
    include_queued, every queued job is sent at once: the embedded studio's in-memory broker
    forgets its messages on restart. Every worker runs this now and then; the conditional
    update lets exactly one of them re-queue a given job.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.RENDER_JOB_STALE_SECONDS)
    candidates = list(RenderJob.objects.filter(status=RenderJob.RUNNING, heartbeat_at__lt=cutoff))
    queued = RenderJob.objects.filter(status=RenderJob.QUEUED)
    if not include_queued:
        queued = queued.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    candidates += list(queued)
    requeued = []
    for job in candidates:
        if RenderJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(status=RenderJob.QUEUED, heartbeat_at=now):
            enqueue(job)
            requeued.append(job.pk)
    return requeued


def start_reaper(interval_s=None):
    """Check for lost jobs every so often, in a daemon thread of this worker process."""
    import threading

    interval_s = interval_s or max(1.0, settings.RENDER_JOB_STALE_SECONDS / 2)

    def loop():
        from django.db import close_old_connections

        while True:
            try:
                close_old_connections()
                requeue_stale_jobs()
            except Exception:
                log.exception("re-queuing stale render jobs failed")
            time.sleep(interval_s)

    thread = threading.Thread(target=loop, name="render-job-reaper", daemon=True)
    thread.start()
    return thread
