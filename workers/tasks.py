"""Celery tasks: thin glue between a RenderJob row and the pure renderers.

The renderers (workers/renderers) know nothing of Django; these tasks load the job, call the
renderer with the job's spec, and hand the bytes to apps.renders.services, which stores them
content-addressed and moves the job along. Routing of each task to its queue is in
studio/celery.py.
"""

from celery import shared_task
from celery.signals import worker_ready

from apps.renders import services
from apps.renders.services import RenderOutput, RenderResult


def _blocking(job, width, height, progress, should_cancel):
    from workers.renderers import blocking, clip

    if job.kind == job.CLIP:
        result = clip.render_clip(job.spec, width, height, progress=progress, should_cancel=should_cancel)
        return RenderResult(
            [
                RenderOutput("clip", result.mp4, "video/mp4", width, height, result.duration_s),
                RenderOutput("poster", result.poster_png, "image/png", width, height),
                RenderOutput("thumbnail", result.thumbnail_png, "image/png"),
            ]
        )
    progress(0, 1)
    frame = blocking.render_frame(job.spec, width, height)
    progress(1, 1)
    return RenderResult(
        [
            RenderOutput("frame", blocking.png_bytes(frame.colour), "image/png", width, height),
            RenderOutput("depth", blocking.png_bytes(frame.depth), "image/png", width, height),
            RenderOutput("plan", blocking.png_bytes(frame.plan), "image/png", frame.plan.width, frame.plan.height),
        ]
    )


def _diffusion(job, width, height, progress, should_cancel):
    from django.conf import settings

    from workers.renderers import blocking, diffusion

    pipe = diffusion.load_pipeline(settings.STUDIO_DIFFUSION_MODEL_PATH, settings.STUDIO_DIFFUSION_CONTROLNET_PATH or None)
    frame = blocking.render_frame(job.spec, width, height)
    shot = job.shot
    prompt, negative = diffusion.build_prompt(
        action=shot.description,
        location=shot.location.name if shot.location_id else (shot.scene.location.name if shot.scene.location_id else ""),
        time_of_day=shot.scene.time_of_day,
        characters=[{"name": c.name, "description": c.description} for c in shot.characters.all()],
        style=job.project.style_prompt,
        shot_size_label=shot.get_shot_size_display(),
        angle_label=shot.get_angle_display(),
        lens_mm=shot.lens_mm,
    )
    options = job.parameters
    image = diffusion.render_styled_frame(
        pipe,
        colour=frame.colour,
        depth=frame.depth,
        prompt=options.get("prompt") or prompt,
        negative_prompt=options.get("negative_prompt") or negative,
        seed=job.seed,
        steps=int(options.get("steps", 20)),
        guidance_scale=float(options.get("guidance_scale", 7.0)),
        strength=float(options.get("strength", 0.75)),
        controlnet_scale=float(options.get("controlnet_scale", 1.0)),
        on_step=lambda step, total, preview=None: progress(step, total),
        should_cancel=should_cancel,
    )
    return RenderResult(
        [
            RenderOutput("frame", blocking.png_bytes(image), "image/png", image.width, image.height),
            RenderOutput("depth", blocking.png_bytes(frame.depth), "image/png", width, height),
        ]
    )


@shared_task(name="workers.tasks.render_blocking", acks_late=True, reject_on_worker_lost=True)
def render_blocking(job_id):
    job = services.execute_job(job_id, _blocking)
    return job.pk if job else None


@shared_task(name="workers.tasks.render_diffusion", acks_late=True, reject_on_worker_lost=True)
def render_diffusion(job_id):
    job = services.execute_job(job_id, _diffusion)
    return job.pk if job else None


@shared_task(name="workers.tasks.requeue_stale_jobs")
def requeue_stale_jobs():
    """Run periodically (beat in distributed mode, a timer in embedded mode)."""
    return services.requeue_stale_jobs()


@worker_ready.connect
def _rescue_lost_jobs(**_kwargs):
    services.requeue_stale_jobs()
