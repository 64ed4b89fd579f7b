"""Celery tasks: thin glue between a RenderJob row and the pure renderers.

The renderers (workers/renderers) know nothing of Django; these tasks call the renderer with
what the job was given when it was made (spec, size, seed, prompt: apps.renders.services.create_job)
and hand the bytes to apps.renders.services, which stores them content-addressed and moves the
job along. Celery finds this module by autodiscovery; studio/celery.py routes each task to its queue.
"""

from celery import shared_task
from celery.signals import worker_ready

from . import services
from .services import RenderOutput, RenderResult


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
    """Restyle the grey-box render with the layout-conditioned diffusion pipeline.

    The pipeline is loaded once per worker process (GPU workers are solo pools, one per GPU).
    Frames: the grey-box colour and depth condition one styled frame. Clips: every grey-box frame
    of the move is restyled with the same seed and prompt, then encoded like a blocking clip.
    """
    from django.conf import settings

    from previs.spec import frame_count, normalize_spec
    from previs.timecode import frame_rate
    from workers.renderers import blocking, clip, diffusion

    pipe = diffusion.load_pipeline(settings.STUDIO_DIFFUSION_MODEL_PATH, settings.STUDIO_DIFFUSION_CONTROLNET_PATH or None)
    options = job.parameters  # decided when the job was made, prompt included (create_job)
    styling = {
        "prompt": options["prompt"],
        "negative_prompt": options["negative_prompt"],
        "seed": job.seed,
        "steps": int(options["steps"]),
        "guidance_scale": float(options["guidance_scale"]),
        "strength": float(options["strength"]),
        "controlnet_scale": float(options["controlnet_scale"]),
        "on_step": lambda done, total, preview=None: progress(done, total, preview_url=_preview_url(preview)),
        "should_cancel": should_cancel,
    }
    if job.kind == job.CLIP:
        spec = normalize_spec(job.spec)
        frames = list(clip.grey_box_frames(spec, width, height))
        styled = diffusion.render_styled_clip(pipe, colours=[c for c, _ in frames], depths=[d for _, d in frames], **styling)
        result = clip.encode_clip(styled, frame_count(spec), frame_rate(spec["fps"]))
        return RenderResult(
            [
                RenderOutput("clip", result.mp4, "video/mp4", result.width, result.height, result.duration_s),
                RenderOutput("poster", result.poster_png, "image/png", result.width, result.height),
                RenderOutput("thumbnail", result.thumbnail_png, "image/png"),
            ]
        )
    frame = blocking.render_frame(job.spec, width, height)
    image = diffusion.render_styled_frame(pipe, colour=frame.colour, depth=frame.depth, **styling)
    return RenderResult(
        [
            RenderOutput("frame", blocking.png_bytes(image), "image/png", image.width, image.height),
            RenderOutput("depth", blocking.png_bytes(frame.depth), "image/png", width, height),
        ]
    )


def _preview_url(preview):
    """A denoising preview as a small inline image for the progress message (ephemeral, never
    stored), or None."""
    if preview is None:
        return None
    import base64
    from io import BytesIO

    image = preview.convert("RGB")
    image.thumbnail((160, 160))
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


@shared_task(name="apps.renders.tasks.render_blocking", acks_late=True, reject_on_worker_lost=True)
def render_blocking(job_id):
    job = services.execute_job(job_id, _blocking)
    return job.pk if job else None


@shared_task(name="apps.renders.tasks.render_diffusion", acks_late=True, reject_on_worker_lost=True)
def render_diffusion(job_id):
    job = services.execute_job(job_id, _diffusion)
    return job.pk if job else None


@worker_ready.connect
def _rescue_lost_jobs(sender=None, **_kwargs):
    """Every worker process watches for jobs whose worker died (the embedded worker has its own
    timer, see apps/renders/embedded.py)."""
    if getattr(sender, "hostname", "") != "embedded@studio":
        services.start_reaper()
