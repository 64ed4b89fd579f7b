"""Diffusion render backend: a styled frame (or clip) that keeps the framing of the blocking.

The grey-box blocking renderer has already decided the composition (shot size, lens, angle,
where everyone stands). This backend only paints it: Stable Diffusion 1.5 with a depth
ControlNet conditioned on the blocking's depth pass, and (by default) img2img from the blocking's
colour pass, so the layout survives and only the look changes. Pure module: no Django; the
Celery task passes settings in as arguments.

Weights (never downloaded at run time; `local_files_only=True`)
---------------------------------------------------------------
`load_pipeline(model_path, controlnet_path=None)` expects a diffusers-format SD 1.5 directory,
e.g. what `save_pretrained` writes or a hub snapshot of stable-diffusion-v1-5, with the depth
ControlNet (e.g. lllyasviel/control_v11f1p_sd15_depth, diffusers format) either inside it as
`controlnet/` or in its own directory given as `controlnet_path`::

    $STUDIO_DIFFUSION_MODEL_PATH/
        model_index.json
        unet/        config.json, diffusion_pytorch_model.safetensors
        vae/         config.json, diffusion_pytorch_model.safetensors
        text_encoder/ config.json, model.safetensors
        tokenizer/   vocab.json + merges.txt (or tokenizer.json), tokenizer_config.json
        scheduler/   scheduler_config.json
        [safety_checker/, feature_extractor/]   loaded if the model_index lists them
        controlnet/  config.json, diffusion_pytorch_model.safetensors
                     (or set STUDIO_DIFFUSION_CONTROLNET_PATH to a directory holding these two)

Anything missing raises DiffusionNotConfigured with what to fix; the studio then says so and
offers the blocking backend. There is no fallback that fakes a styled image.

Consistency from shot to shot
-----------------------------
A character looks alike across shots when the two things that steer the model are the same:
the text (`build_prompt` puts each character's description, written once on the character,
into every prompt, in the same words, plus the project's style prompt) and the starting noise
(`seed_for` derives the seed from the project seed and the set of characters in frame, so every
shot of the same cast starts from the same seed). This keeps wardrobe, palette and overall look
steady; it does not lock a face the way a per-character LoRA or IP-Adapter would; those can be
added to the pipeline later without changing this API.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PIL import Image

from previs.types import FloatArray, JsonObject
from workers.renderers import RenderCancelled, ShouldCancel

if TYPE_CHECKING:  # torch and diffusers load when a render needs them, not with this module
    import torch
    from diffusers import StableDiffusionControlNetImg2ImgPipeline, StableDiffusionControlNetPipeline

# Told (done, total, preview image or None) after every denoising step.
OnStep = Callable[[int, int, Image.Image | None], None]

log = logging.getLogger(__name__)

__all__ = [
    "DiffusionNotConfigured",
    "RenderCancelled",
    "DEFAULT_NEGATIVE_PROMPT",
    "build_prompt",
    "seed_for",
    "depth_to_control_image",
    "load_pipeline",
    "unload_pipelines",
    "render_styled_frame",
    "render_styled_clip",
    "benchmark_latency",
]


class DiffusionNotConfigured(RuntimeError):
    """No usable diffusion weights at the configured path; the message says what to fix."""


# --- Prompt and seed ------------------------------------------------------------------------

DEFAULT_NEGATIVE_PROMPT = (
    "lowres, blurry, out of focus, jpeg artifacts, deformed, bad anatomy, extra limbs, extra fingers, "
    "duplicate, text, caption, watermark, logo, signature, frame border, split screen, collage, "
    "multiple panels, cropped"
)


def _lens_words(lens_mm: float | None) -> str:
    """The focal length as the model understands it: a number alone means little to CLIP."""
    if not lens_mm:
        return ""
    lens = f"{float(lens_mm):g}mm lens"
    if lens_mm <= 24:
        return f"wide-angle {lens}"
    if lens_mm >= 85:
        return f"telephoto {lens}"
    return lens


def build_prompt(
    *,
    action: str | None,
    location: str | None,
    time_of_day: str | None,
    characters: Iterable[JsonObject] | None,
    style: str | None,
    shot_size_label: str | None,
    angle_label: str | None,
    lens_mm: float | None,
    negative_extra: str | None = "",
) -> tuple[str, str]:
    """(prompt, negative_prompt) for one shot.

    CLIP reads 77 tokens and silently drops the rest, so the parts are ordered by what must
    survive: framing first (the point of previs), then who is in frame with their descriptions
    (consistency), then the action, the place and time, the lens and finally the style.
    Character names are left out: to the model a name is noise at best and a celebrity's face
    at worst; the description carries the look. `characters` is a list of {name, description}.
    """
    parts: list[str] = []
    if shot_size_label:
        parts.append(f"cinematic film still, {shot_size_label.lower()} shot")
    else:
        parts.append("cinematic film still")
    if angle_label:
        parts.append(f"{angle_label.lower()} camera angle")
    for character in characters or []:
        description = (character.get("description") or "").strip()
        if description:
            parts.append(description)
    for text in (action, location):
        if text and text.strip():
            parts.append(text.strip())
    if time_of_day:
        parts.append(time_of_day.strip().lower())
    lens = _lens_words(lens_mm)
    if lens:
        parts.append(lens)
    if style and style.strip():
        parts.append(style.strip())
    negative = DEFAULT_NEGATIVE_PROMPT + (f", {negative_extra.strip()}" if negative_extra and negative_extra.strip() else "")
    return ", ".join(parts), negative


def seed_for(project_seed: int, character_ids: Iterable[object] | None, shot_seed: int | None = None) -> int:
    """The seed a shot renders with.

    A seed set on the shot (or job) wins, so a take the director liked can be pinned and
    reproduced exactly. Otherwise the seed depends only on the project seed and the *set* of
    characters in frame (order and duplicates ignored): every shot with the same cast starts from
    the same noise, which together with the same descriptions keeps their look from shot to shot.
    sha256 rather than hash(): Python salts hash() per process, and seeds must survive restarts.
    Result is below 2**31 so it fits the RenderJob.seed column (PositiveIntegerField).
    """
    if shot_seed is not None:
        return int(shot_seed)
    cast = ",".join(sorted({str(identifier) for identifier in character_ids or []}))
    digest = hashlib.sha256(f"previs-seed|{int(project_seed)}|{cast}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (2**31)


# --- Depth conditioning ---------------------------------------------------------------------


def _depth_mm(depth: Image.Image | npt.ArrayLike) -> FloatArray:
    """The blocking's depth pass (PIL "I;16"/"I"/"F" or an array; millimetres, 0 = infinity) as floats."""
    array = np.asarray(depth, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"depth must be a single-channel image in millimetres, got shape {array.shape}")
    return array


def _disparity(depth_mm: FloatArray) -> FloatArray:
    # Inverse depth (1/m): what MiDaS, and so the depth ControlNets' training data, produce.
    # Infinity (0 mm) has zero disparity: black, as MiDaS renders the sky.
    with np.errstate(divide="ignore"):
        return np.where(depth_mm > 0, 1000.0 / np.maximum(depth_mm, 1e-9), 0.0)


def _disparity_range(disparities: Sequence[FloatArray]) -> tuple[float, float]:
    low = min(float(d.min()) for d in disparities)
    high = max(float(d.max()) for d in disparities)
    return low, high


def depth_to_control_image(
    depth: Image.Image | npt.ArrayLike, size: tuple[int, int] | None = None, disparity_range: tuple[float, float] | None = None
) -> Image.Image:
    """The depth pass as a depth ControlNet expects it: RGB, near = bright, normalised to 0..255.

    Like the MiDaS annotator the ControlNet was trained on: inverse depth, min-max normalised.
    `disparity_range` (low, high) fixes the normalisation; a clip passes one range for all its
    frames so the brightness of a wall does not flicker when an actor walks towards the lens.
    """
    disparity = _disparity(_depth_mm(depth))
    low, high = disparity_range or _disparity_range([disparity])
    if high - low > 1e-12:
        normalised = np.clip((disparity - low) / (high - low), 0.0, 1.0)
    else:  # a flat wall or empty frame: no depth structure to show; keep "something" vs "nothing"
        normalised = (disparity > 0).astype(np.float64)
    grey = Image.fromarray(np.round(normalised * 255.0).astype(np.uint8))
    if size is not None and grey.size != tuple(size):
        grey = grey.resize(size, Image.Resampling.BILINEAR)
    return grey.convert("RGB")


# --- Loading --------------------------------------------------------------------------------

_PIPELINES: dict[tuple[str, str, str], StableDiffusionControlNetPipeline] = {}  # by (model dir, controlnet dir, device)
_IMG2IMG: weakref.WeakKeyDictionary[StableDiffusionControlNetPipeline, StableDiffusionControlNetImg2ImgPipeline] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _weights_dirs(model_path: str | os.PathLike[str] | None, controlnet_path: str | os.PathLike[str] | None) -> tuple[str, str]:
    """Check the layout before diffusers does, so the message names the setting to fix."""
    if not model_path:
        raise DiffusionNotConfigured(
            "No diffusion weights are configured: STUDIO_DIFFUSION_MODEL_PATH is unset. Point it at a local "
            "diffusers-format Stable Diffusion 1.5 directory (with a depth ControlNet in its controlnet/ "
            "subfolder or at STUDIO_DIFFUSION_CONTROLNET_PATH), or use the blocking backend."
        )
    model_dir = os.path.abspath(os.path.expanduser(os.fspath(model_path)))
    if not os.path.isdir(model_dir):
        raise DiffusionNotConfigured(
            f"Diffusion weights not found: {model_dir} (STUDIO_DIFFUSION_MODEL_PATH) does not exist or is not a "
            "directory. Mount the model cache there, or use the blocking backend."
        )
    if not os.path.isfile(os.path.join(model_dir, "model_index.json")):
        raise DiffusionNotConfigured(
            f"{model_dir} (STUDIO_DIFFUSION_MODEL_PATH) is not a diffusers-format pipeline: it has no "
            "model_index.json. Save the model with diffusers' save_pretrained, or point at the snapshot directory."
        )
    controlnet_dir = os.path.abspath(os.path.expanduser(os.fspath(controlnet_path))) if controlnet_path else os.path.join(model_dir, "controlnet")
    if not os.path.isfile(os.path.join(controlnet_dir, "config.json")):
        raise DiffusionNotConfigured(
            f"No depth ControlNet found at {controlnet_dir} (no config.json). Put a diffusers-format depth "
            "ControlNet (e.g. control_v11f1p_sd15_depth) in the model's controlnet/ folder or set "
            "STUDIO_DIFFUSION_CONTROLNET_PATH to its directory; without it renders would not follow the blocking."
        )
    return model_dir, controlnet_dir


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_pipeline(
    model_path: str | os.PathLike[str] | None, controlnet_path: str | os.PathLike[str] | None = None, device: str | None = None
) -> StableDiffusionControlNetPipeline:
    """The depth-ControlNet SD pipeline from local weights, loaded once per process.

    Cached by (model dir, controlnet dir, device): a GPU worker loads its few GB once and reuses
    them for every job. CUDA when present, in float16 there; float32 on the CPU (CPU half
    precision is slow or unsupported). Raises DiffusionNotConfigured when the weights are unset,
    missing or unloadable.
    """
    model_dir, controlnet_dir = _weights_dirs(model_path, controlnet_path)
    device = str(device or _default_device())
    key = (model_dir, controlnet_dir, device)
    with _LOCK:  # two threads asking at once must not load two copies onto one GPU
        pipe = _PIPELINES.get(key)
        if pipe is None:
            pipe = _load(model_dir, controlnet_dir, device)
            _PIPELINES[key] = pipe
    return pipe


def unload_pipelines() -> None:
    """Forget the cached pipelines (tests; or a worker told to free its GPU)."""
    with _LOCK:
        _PIPELINES.clear()
        _IMG2IMG.clear()


def _load(model_dir: str, controlnet_dir: str, device: str) -> StableDiffusionControlNetPipeline:
    import torch
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline, UniPCMultistepScheduler

    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    started = time.monotonic()
    try:
        # dtype=, not torch_dtype=: diffusers 0.42 deprecates the latter.
        controlnet = ControlNetModel.from_pretrained(controlnet_dir, dtype=dtype, local_files_only=True)
        pipe = StableDiffusionControlNetPipeline.from_pretrained(model_dir, controlnet=controlnet, dtype=dtype, local_files_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise DiffusionNotConfigured(f"The diffusion weights at {model_dir} (ControlNet {controlnet_dir}) could not be loaded: {error}") from error
    tokenizer = pipe.tokenizer
    # Without its files, a tokenizer "loads" as a 2-token vocabulary with a 1e30 max length and
    # every prompt turns into the same garbage, silently. Refuse that instead.
    max_positions = pipe.text_encoder.config.max_position_embeddings
    if tokenizer is None or len(tokenizer) <= 3 or tokenizer.model_max_length != max_positions:
        raise DiffusionNotConfigured(
            f"The tokenizer in {os.path.join(model_dir, 'tokenizer')} did not load (vocabulary of "
            f"{len(tokenizer) if tokenizer is not None else 0} tokens, max length "
            f"{getattr(tokenizer, 'model_max_length', None)}, expected {max_positions}). "
            "It needs vocab.json and merges.txt (or tokenizer.json) and tokenizer_config.json."
        )
    # UniPC gets a ControlNet render right in ~20 steps (diffusers' recommendation for ControlNet);
    # the checkpoint's own PNDM needs far more for the same quality.
    pipe.scheduler = UniPCMultistepScheduler.from_config(pipe.scheduler.config)
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)  # progress goes to on_step, not to tqdm in worker logs
    log.info("diffusion pipeline loaded from %s on %s (%s) in %.1f s", model_dir, device, dtype, time.monotonic() - started)
    return pipe


def _img2img(pipe: StableDiffusionControlNetPipeline | StableDiffusionControlNetImg2ImgPipeline) -> StableDiffusionControlNetImg2ImgPipeline:
    """The img2img ControlNet pipeline sharing `pipe`'s modules (no second copy of the weights)."""
    from diffusers import StableDiffusionControlNetImg2ImgPipeline

    if isinstance(pipe, StableDiffusionControlNetImg2ImgPipeline):
        return pipe
    with _LOCK:
        variant = _IMG2IMG.get(pipe)
        if variant is None:
            # dtype must be passed: from_pipe otherwise casts the *shared* modules to float32,
            # silently turning the fp16 text-to-image pipeline into fp32 too.
            variant = StableDiffusionControlNetImg2ImgPipeline.from_pipe(pipe, dtype=pipe.dtype)
            variant.set_progress_bar_config(disable=True)
            _IMG2IMG[pipe] = variant
    return variant


def _text2img(pipe: StableDiffusionControlNetPipeline | StableDiffusionControlNetImg2ImgPipeline) -> StableDiffusionControlNetPipeline:
    from diffusers import StableDiffusionControlNetImg2ImgPipeline, StableDiffusionControlNetPipeline

    if isinstance(pipe, StableDiffusionControlNetImg2ImgPipeline):
        variant = StableDiffusionControlNetPipeline.from_pipe(pipe, dtype=pipe.dtype)
        variant.set_progress_bar_config(disable=True)
        return variant
    return pipe


# --- Rendering ------------------------------------------------------------------------------

# SD 1.x latent → RGB, a linear fit (as ComfyUI's cheap previews): a 4×3 product instead of a
# VAE decode, so a preview costs nothing measurable. The preview is the latent's size (1/8).
_LATENT_RGB = (
    (0.3512, 0.2297, 0.3227),
    (0.3250, 0.4974, 0.2350),
    (-0.2829, 0.1762, 0.2721),
    (-0.2120, -0.2616, -0.4702),
)


def latent_preview(latents: torch.Tensor | None) -> Image.Image | None:
    """A small RGB image of the first latent in a batch, or None when it is not an SD-style 4-channel latent."""
    import torch

    if latents is None or latents.ndim != 4 or latents.shape[1] != len(_LATENT_RGB):
        return None
    factors = torch.tensor(_LATENT_RGB, dtype=torch.float32, device=latents.device)
    rgb = torch.einsum("chw,cr->hwr", latents[0].float(), factors)
    pixels = ((rgb + 1.0) * 127.5).clamp(0, 255).to(torch.uint8).cpu().numpy()
    return Image.fromarray(pixels)


def _round8(value: float) -> int:
    value = int(value)
    return max(8, value - value % 8)


def _output_size(source: Image.Image, width: int | None, height: int | None) -> tuple[int, int]:
    """Width and height: asked for, else the source frame's; the missing one keeps its aspect; rounded down to 8."""
    source_width, source_height = source.size
    if width and not height:
        height = round(width * source_height / source_width)
    elif height and not width:
        width = round(height * source_width / source_height)
    return _round8(width or source_width), _round8(height or source_height)


class _StepReporter:
    """callback_on_step_end: progress, a cheap preview every few steps, and cancellation.

    Cancelling sets the pipeline's `_interrupt`; diffusers then skips the remaining steps, and
    the caller raises RenderCancelled once the call returns (raising inside the callback would
    skip diffusers' own clean-up, e.g. offload hooks).
    """

    def __init__(self, on_step: OnStep | None, should_cancel: ShouldCancel | None, preview_every: int, frames: int = 1) -> None:
        self.on_step = on_step
        self.should_cancel = should_cancel
        self.preview_every = preview_every
        self.frames = frames
        self.frame = 0
        self.cancelled = False

    def check(self) -> None:
        if self.should_cancel is not None and self.should_cancel():
            self.cancelled = True
            raise RenderCancelled()

    def __call__(
        self, pipe: StableDiffusionControlNetPipeline, index: int, timestep: torch.Tensor, tensors: dict[str, torch.Tensor]
    ) -> dict[str, torch.Tensor]:
        per_frame = pipe.num_timesteps
        done = index + 1
        if self.on_step is not None:
            preview = None
            if self.preview_every and done % self.preview_every == 0 and done < per_frame:
                preview = latent_preview(tensors.get("latents"))
            self.on_step(self.frame * per_frame + done, self.frames * per_frame, preview)
        if self.should_cancel is not None and self.should_cancel():
            self.cancelled = True
            pipe._interrupt = True
        return {}

    def finish(self, pipe: StableDiffusionControlNetPipeline) -> None:
        if self.cancelled or getattr(pipe, "_interrupt", False):
            raise RenderCancelled()


def _generator(seed: int) -> torch.Generator:
    import torch

    # A CPU generator: the same seed gives the same noise on every GPU model and on the CPU.
    return torch.Generator(device="cpu").manual_seed(int(seed))


def _check_steps(steps: int, strength: float, img2img: bool) -> None:
    if steps < 1:
        raise ValueError("steps must be at least 1")
    if img2img and not 0.0 < strength <= 1.0:
        raise ValueError("strength must be in (0, 1]: how much of the grey-box frame is repainted")
    if img2img and int(steps * strength) < 1:
        raise ValueError(f"steps × strength ({steps} × {strength}) is under one denoising step; raise either")


def _render_one(
    pipe: StableDiffusionControlNetPipeline,
    reporter: _StepReporter,
    *,
    colour: Image.Image | None,
    control: Image.Image,
    prompt: str,
    negative_prompt: str | None,
    seed: int,
    steps: int,
    guidance_scale: float,
    strength: float,
    controlnet_scale: float,
    width: int,
    height: int,
) -> Image.Image:
    common = dict(
        prompt=prompt,
        negative_prompt=negative_prompt or None,
        num_inference_steps=steps,
        guidance_scale=guidance_scale,
        controlnet_conditioning_scale=controlnet_scale,
        width=width,
        height=height,
        generator=_generator(seed),
        callback_on_step_end=reporter,
        callback_on_step_end_tensor_inputs=["latents"],
    )
    if colour is not None:
        runner = _img2img(pipe)
        init = colour.convert("RGB")
        if init.size != (width, height):
            init = init.resize((width, height), Image.Resampling.BICUBIC)
        result = runner(image=init, control_image=control, strength=strength, **common)
    else:
        runner = _text2img(pipe)
        result = runner(image=control, **common)
    reporter.finish(runner)
    image: Image.Image = result.images[0]
    return image


def render_styled_frame(
    pipe: StableDiffusionControlNetPipeline,
    *,
    colour: Image.Image | None,
    depth: Image.Image,
    prompt: str,
    negative_prompt: str | None,
    seed: int,
    steps: int = 20,
    guidance_scale: float = 7.0,
    strength: float = 0.75,
    controlnet_scale: float = 1.0,
    width: int | None = None,
    height: int | None = None,
    on_step: OnStep | None = None,
    should_cancel: ShouldCancel | None = None,
    preview_every: int = 5,
) -> Image.Image:
    """One styled frame that follows the blocking: a PIL RGB image of width × height.

    colour: the blocking's colour frame (PIL); img2img starts from it, repainting `strength` of
        it (1.0 ignores it). None renders from noise, guided by depth alone.
    depth: the blocking's depth (PIL "I;16"/"I", millimetres, 0 = infinity): the ControlNet's guide.
    width, height: default to the frame's size; rounded down to multiples of 8.
    on_step(step, total, preview): after every denoising step, step counting from 1 to total
        (img2img runs int(steps × strength) of them); preview is a small PIL image every
        `preview_every` steps, else None.
    should_cancel(): polled every step; True stops the denoising and raises RenderCancelled.
    """
    source = colour if colour is not None else depth
    width, height = _output_size(source, width, height)
    _check_steps(steps, strength, colour is not None)
    reporter = _StepReporter(on_step, should_cancel, preview_every)
    reporter.check()
    control = depth_to_control_image(depth, (width, height))
    return _render_one(
        pipe,
        reporter,
        colour=colour,
        control=control,
        prompt=prompt,
        negative_prompt=negative_prompt,
        seed=seed,
        steps=steps,
        guidance_scale=guidance_scale,
        strength=strength,
        controlnet_scale=controlnet_scale,
        width=width,
        height=height,
    )


def render_styled_clip(
    pipe: StableDiffusionControlNetPipeline,
    *,
    colours: Iterable[Image.Image] | None,
    depths: Iterable[Image.Image],
    prompt: str,
    negative_prompt: str | None,
    seed: int,
    steps: int = 20,
    guidance_scale: float = 7.0,
    strength: float = 0.75,
    controlnet_scale: float = 1.0,
    width: int | None = None,
    height: int | None = None,
    on_step: OnStep | None = None,
    should_cancel: ShouldCancel | None = None,
    preview_every: int = 5,
) -> list[Image.Image]:
    """Stylise a grey-box clip frame by frame; a list of PIL RGB frames.

    Honest video-to-video, nothing more: each frame is a depth-ControlNet img2img of its grey-box
    frame with the same prompt and the same seed (so the same noise, fixed to the screen), and one
    depth normalisation for the whole clip. That keeps framing and look steady, but fine texture
    can still shimmer from frame to frame: there is no temporal model. A dedicated video pipeline
    (e.g. AnimateDiff with a ControlNet) can replace the per-frame loop behind this signature
    when one is configured.

    colours: the grey-box colour frames, or None to render from depth alone (the same starting
        latents every frame). depths: the depth frames (one per frame).
    on_step(done, total, preview): progress over frames × denoising steps.
    should_cancel(): polled every step and between frames; raises RenderCancelled.
    """
    depths = list(depths)
    if not depths:
        return []
    if colours is not None:
        colours = list(colours)
        if len(colours) != len(depths):
            raise ValueError(f"{len(colours)} colour frames but {len(depths)} depth frames")
    source = colours[0] if colours is not None else depths[0]
    width, height = _output_size(source, width, height)
    _check_steps(steps, strength, colours is not None)
    reporter = _StepReporter(on_step, should_cancel, preview_every, frames=len(depths))
    reporter.check()
    # One range for the clip, so a static set keeps its depth brightness while actors move.
    disparity_range = _disparity_range([_disparity(_depth_mm(depth)) for depth in depths])
    frames: list[Image.Image] = []
    for index, depth in enumerate(depths):
        reporter.frame = index
        reporter.check()
        control = depth_to_control_image(depth, (width, height), disparity_range)
        frames.append(
            _render_one(
                pipe,
                reporter,
                colour=colours[index] if colours is not None else None,
                control=control,
                prompt=prompt,
                negative_prompt=negative_prompt,
                seed=seed,
                steps=steps,
                guidance_scale=guidance_scale,
                strength=strength,
                controlnet_scale=controlnet_scale,
                width=width,
                height=height,
            )
        )
    return frames


# --- Benchmark ------------------------------------------------------------------------------


def _random_sd15_pipeline(device: str, dtype: torch.dtype) -> StableDiffusionControlNetPipeline:
    """SD 1.5's shapes with random weights: a latency stand-in when no weights are mounted."""
    import torch
    from diffusers import AutoencoderKL, ControlNetModel, StableDiffusionControlNetPipeline, UNet2DConditionModel, UniPCMultistepScheduler
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    with torch.device(device):  # build in place: 1 B random parameters are slow to init on a CPU
        unet = UNet2DConditionModel(cross_attention_dim=768, sample_size=64, attention_head_dim=8)
        controlnet = ControlNetModel.from_unet(unet)
        vae = AutoencoderKL(
            block_out_channels=(128, 256, 512, 512),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            latent_channels=4,
            layers_per_block=2,
            sample_size=512,
        )
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                hidden_size=768,
                intermediate_size=3072,
                num_attention_heads=12,
                num_hidden_layers=12,
                max_position_embeddings=77,
                vocab_size=49408,
                hidden_act="quick_gelu",
                projection_dim=768,
            )
        )
    # A byte-level vocabulary: tokenizing costs the same; the real 49k-word vocab needs files.
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    symbols = [chr(c) for c in printable] + [chr(256 + n) for n in range(256 - len(printable))]
    vocab = {s: i for i, s in enumerate(symbols)}
    vocab.update({s + "</w>": len(symbols) + i for i, s in enumerate(symbols)})
    vocab.update({"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1})
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)
    scheduler = UniPCMultistepScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
    pipe = StableDiffusionControlNetPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        controlnet=controlnet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.to(device, dtype)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def benchmark_latency(
    size: int, steps: int = 20, *, pipe: StableDiffusionControlNetPipeline | None = None, model_path: str | None = None, controlnet_path: str | None = None
) -> float:
    """Milliseconds for one size × size styled frame of `steps` steps (text+depth → image, VAE decode included).

    Times the configured weights (model_path, else $STUDIO_DIFFUSION_MODEL_PATH) or, when none
    are mounted, a randomly initialised model of SD 1.5's shapes: same compute, no download.
    Needs CUDA unless a `pipe` is given (the tests pass a tiny one). One warm-up run first, so
    the figure excludes CUDA kernel selection and allocator growth.
    """
    import torch

    if pipe is None:
        if not torch.cuda.is_available():
            raise RuntimeError("benchmark_latency times an SD 1.5-sized model and needs a CUDA GPU")
        model_path = model_path or os.environ.get("STUDIO_DIFFUSION_MODEL_PATH") or None
        controlnet_path = controlnet_path or os.environ.get("STUDIO_DIFFUSION_CONTROLNET_PATH") or None
        if model_path and os.path.isdir(model_path):
            pipe = load_pipeline(model_path, controlnet_path, device="cuda")
        else:
            pipe = _random_sd15_pipeline("cuda", torch.float16)
    size = _round8(size)
    depth = Image.fromarray(np.tile(np.linspace(1000, 9000, size).astype(np.uint16), (size, 1)))
    on_cuda = pipe.device.type == "cuda"

    def run(count: int) -> Image.Image:
        return render_styled_frame(
            pipe,
            colour=None,
            depth=depth,
            prompt="a lighthouse keeper on a pier at dusk",
            negative_prompt="",
            seed=0,
            steps=count,
            width=size,
            height=size,
        )

    run(min(steps, 2))
    if on_cuda:
        torch.cuda.synchronize()
    started = time.perf_counter()
    run(steps)
    if on_cuda:
        torch.cuda.synchronize()
    return (time.perf_counter() - started) * 1000.0
