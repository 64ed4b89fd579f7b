"""The diffusion backend on tiny random pipelines: real diffusers code paths, no weights, no network.

Pictures from random weights are noise, so these tests check the contract (sizes, determinism,
progress, cancellation, loading and its errors), not the look.
"""

import os
import socket
import time

import numpy as np
import pytest
import torch
from PIL import Image

from tests.renderers.tiny_pipelines import save_tiny_pipeline, tiny_tokenizer
from workers.renderers import diffusion
from workers.renderers.diffusion import DiffusionNotConfigured, RenderCancelled

SIZE = 64


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to reach the hub (or anything) fails loudly instead of hanging or downloading."""

    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in the diffusion tests")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    model_path, _ = save_tiny_pipeline(tmp_path_factory.mktemp("sd-tiny"))
    return model_path


@pytest.fixture(scope="module")
def pipe(weights):
    diffusion.unload_pipelines()
    yield diffusion.load_pipeline(weights, device="cpu")
    diffusion.unload_pipelines()


def blocking_frame(width=SIZE, height=SIZE):
    """What the blocking renderer hands over: a grey-box colour frame and a depth pass in mm (0 = sky)."""
    colour = np.full((height, width, 3), 140, np.uint8)
    colour[height // 3 :, width // 4 : width // 2] = (90, 90, 100)  # a "character" box
    depth = np.full((height, width), 8000, np.uint16)  # back wall at 8 m
    depth[: height // 4] = 0  # sky: infinity
    depth[height // 3 :, width // 4 : width // 2] = 2500  # the character at 2.5 m
    return Image.fromarray(colour), Image.fromarray(depth)


def render(pipe, **overrides):
    colour, depth = blocking_frame()
    arguments = dict(colour=colour, depth=depth, prompt="medium shot, a keeper in a yellow oilskin", negative_prompt="blurry", seed=7, steps=3, strength=1.0)
    arguments.update(overrides)
    return diffusion.render_styled_frame(pipe, **arguments)


# --- Loading ---------------------------------------------------------------------------------


def test_loads_local_weights_once_on_cpu(pipe, weights):
    assert type(pipe).__name__ == "StableDiffusionControlNetPipeline"
    assert pipe.device.type == "cpu" and pipe.dtype == torch.float32
    assert len(pipe.tokenizer) == 514 and pipe.tokenizer.model_max_length == 77
    assert diffusion.load_pipeline(weights, device="cpu") is pipe  # cached per process


def test_loads_controlnet_from_a_separate_directory(tmp_path):
    model_path, controlnet_path = save_tiny_pipeline(tmp_path / "sd", controlnet_dir=tmp_path / "depth-cn")
    loaded = diffusion.load_pipeline(model_path, controlnet_path, device="cpu")
    assert loaded.controlnet is not None
    assert render(loaded, steps=2).size == (SIZE, SIZE)


@pytest.mark.parametrize(
    "setup, expected",
    [
        (lambda tmp: "", "STUDIO_DIFFUSION_MODEL_PATH is unset"),
        (lambda tmp: None, "STUDIO_DIFFUSION_MODEL_PATH is unset"),
        (lambda tmp: str(tmp / "nowhere"), "does not exist"),
        (lambda tmp: str(tmp), "no model_index.json"),
    ],
)
def test_missing_weights_say_what_to_fix(tmp_path, setup, expected):
    with pytest.raises(DiffusionNotConfigured, match=expected) as raised:
        diffusion.load_pipeline(setup(tmp_path), device="cpu")
    assert "blocking backend" in str(raised.value) or "diffusers" in str(raised.value)


def test_missing_controlnet_is_not_configured(tmp_path, weights):
    (tmp_path / "model_index.json").write_text("{}")
    with pytest.raises(DiffusionNotConfigured, match="No depth ControlNet"):
        diffusion.load_pipeline(str(tmp_path), device="cpu")
    with pytest.raises(DiffusionNotConfigured, match="No depth ControlNet"):
        diffusion.load_pipeline(weights, str(tmp_path / "no-cn"), device="cpu")


def test_broken_tokenizer_is_refused_not_used(tmp_path):
    model_path, _ = save_tiny_pipeline(tmp_path / "sd")
    for name in os.listdir(tmp_path / "sd" / "tokenizer"):
        if name != "tokenizer_config.json":
            os.remove(tmp_path / "sd" / "tokenizer" / name)
    with pytest.raises(DiffusionNotConfigured, match="tokenizer"):
        diffusion.load_pipeline(model_path, device="cpu")


def test_tiny_tokenizer_is_a_real_clip_tokenizer():
    tokenizer = tiny_tokenizer()
    ids = tokenizer("a red coat", padding="max_length", max_length=77, truncation=True).input_ids
    assert len(ids) == 77 and ids[0] == tokenizer.bos_token_id


# --- Frames ----------------------------------------------------------------------------------


def test_frame_has_the_asked_size_rounded_to_8(pipe):
    image = render(pipe)
    assert image.mode == "RGB" and image.size == (SIZE, SIZE)
    colour, depth = blocking_frame(70, 67)
    assert render(pipe, colour=colour, depth=depth, steps=2).size == (64, 64)
    assert render(pipe, width=64, height=48, steps=2).size == (64, 48)


def test_same_seed_same_pixels_other_seed_other_pixels(pipe):
    first, again, other = render(pipe, seed=11), render(pipe, seed=11), render(pipe, seed=12)
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert not np.array_equal(np.asarray(first), np.asarray(other))


def test_depth_only_render_and_strength(pipe):
    from_noise = render(pipe, colour=None)
    assert from_noise.size == (SIZE, SIZE)
    light = render(pipe, strength=0.5, steps=4)  # 2 of 4 steps: closer to the grey box
    assert light.size == (SIZE, SIZE)
    with pytest.raises(ValueError, match="under one denoising step"):
        render(pipe, strength=0.2, steps=2)


def test_on_step_reports_every_step_with_previews(pipe):
    calls = []
    render(pipe, steps=3, on_step=lambda step, total, preview: calls.append((step, total, preview)), preview_every=1)
    assert [(step, total) for step, total, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    previews = [preview for _, _, preview in calls]
    assert all(isinstance(p, Image.Image) and p.size == (SIZE // 2, SIZE // 2) for p in previews[:2])
    assert previews[2] is None  # the final image follows; no preview of the last step

    calls.clear()
    render(pipe, steps=4, strength=0.75, on_step=lambda step, total, preview: calls.append((step, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]  # img2img runs int(steps × strength) steps


def test_cancel_stops_the_render(pipe):
    calls = []
    with pytest.raises(RenderCancelled):
        render(pipe, steps=3, on_step=lambda step, total, preview: calls.append(step), should_cancel=lambda: bool(calls))
    assert calls == [1]  # interrupted after the first step: no further steps ran
    with pytest.raises(RenderCancelled):
        render(pipe, steps=3, on_step=lambda *a: calls.append(a), should_cancel=lambda: True)
    # The pipeline is usable again after a cancel.
    assert render(pipe, steps=2).size == (SIZE, SIZE)


def test_cancel_is_the_package_wide_exception():
    import workers.renderers

    assert diffusion.RenderCancelled is workers.renderers.RenderCancelled


# --- Clips -----------------------------------------------------------------------------------


def test_clip_is_frame_by_frame_with_one_seed_and_progress_over_frames(pipe):
    colour, depth = blocking_frame()
    calls = []
    frames = diffusion.render_styled_clip(
        pipe,
        colours=[colour] * 3,
        depths=[depth] * 3,
        prompt="a pier at dusk",
        negative_prompt="",
        seed=3,
        steps=2,
        strength=1.0,
        on_step=lambda done, total, preview: calls.append((done, total)),
    )
    assert len(frames) == 3 and all(frame.size == (SIZE, SIZE) for frame in frames)
    # Same grey-box frame, same seed, same prompt: the same picture (no per-frame drift).
    assert np.array_equal(np.asarray(frames[0]), np.asarray(frames[2]))
    assert calls == [(n, 6) for n in range(1, 7)]
    single = render(pipe, colour=colour, depth=depth, prompt="a pier at dusk", negative_prompt="", seed=3, steps=2)
    assert np.array_equal(np.asarray(frames[0]), np.asarray(single))


def test_clip_cancel_between_and_within_frames(pipe):
    colour, depth = blocking_frame()
    calls = []
    with pytest.raises(RenderCancelled):
        diffusion.render_styled_clip(
            pipe,
            colours=[colour] * 3,
            depths=[depth] * 3,
            prompt="x",
            negative_prompt="",
            seed=1,
            steps=2,
            strength=1.0,
            on_step=lambda done, total, preview: calls.append(done),
            should_cancel=lambda: len(calls) >= 3,
        )
    assert calls == [1, 2, 3]  # stopped inside the second frame


# --- Prompt, seed, depth ---------------------------------------------------------------------


def test_build_prompt_carries_framing_characters_and_look():
    prompt, negative = diffusion.build_prompt(
        action="She lights the lamp",
        location="Lighthouse lamp room",
        time_of_day="NIGHT",
        characters=[
            {"name": "MAREN", "description": "a weathered woman in her sixties, grey braid, yellow oilskin"},
            {"name": "TOM", "description": "a boy of ten in a red knitted jumper"},
        ],
        style="moody 35mm film, teal and amber",
        shot_size_label="Medium Close-Up",
        angle_label="Low",
        lens_mm=85,
    )
    assert prompt.startswith("cinematic film still, medium close-up shot, low camera angle")
    for text in (
        "grey braid, yellow oilskin",
        "red knitted jumper",
        "She lights the lamp",
        "Lighthouse lamp room",
        "night",
        "telephoto 85mm lens",
        "teal and amber",
    ):
        assert text in prompt
    assert "MAREN" not in prompt  # names steer the model nowhere useful; descriptions carry the look
    assert "watermark" in negative
    _, extra = diffusion.build_prompt(
        action="", location="", time_of_day="", characters=[], style="", shot_size_label="Wide", angle_label="", lens_mm=None, negative_extra="crowd"
    )
    assert extra.endswith(", crowd")


def test_seed_for_is_stable_and_follows_the_cast():
    seed = diffusion.seed_for(1234, ["7", "3"])
    assert seed == diffusion.seed_for(1234, ["3", "7", "3"])  # order and repeats do not matter
    assert seed == 2032320583  # stable across processes and releases: pinned
    assert 0 <= seed < 2**31
    assert diffusion.seed_for(1234, ["3"]) != seed
    assert diffusion.seed_for(1235, ["7", "3"]) != seed
    assert diffusion.seed_for(1234, ["7", "3"], shot_seed=42) == 42


def test_depth_becomes_near_bright_rgb_control_image():
    _, depth = blocking_frame()
    control = diffusion.depth_to_control_image(depth, (32, 32))
    pixels = np.asarray(control)
    assert control.mode == "RGB" and control.size == (32, 32)
    sky, wall, character = pixels[2, 16, 0], pixels[10, 28, 0], pixels[28, 12, 0]
    assert sky == 0 and character == 255 and 0 < wall < character
    # A 32-bit "I" depth image gives the same picture.
    as_int32 = Image.fromarray(np.asarray(depth).astype(np.int32))
    assert np.array_equal(np.asarray(diffusion.depth_to_control_image(as_int32, (32, 32))), pixels)


# --- Benchmark -------------------------------------------------------------------------------


def test_benchmark_latency_times_a_given_pipeline(pipe):
    started = time.perf_counter()
    ms = diffusion.benchmark_latency(64, steps=2, pipe=pipe)
    assert 0 < ms <= (time.perf_counter() - started) * 1000


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_benchmark_latency_on_gpu_with_an_sd15_sized_model():
    assert diffusion.benchmark_latency(512, steps=4) > 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_loads_in_float16_on_gpu(weights):
    loaded = diffusion.load_pipeline(weights)
    assert loaded.device.type == "cuda" and loaded.dtype == torch.float16
    assert render(loaded, steps=2).size == (SIZE, SIZE)
    assert loaded.unet.dtype == torch.float16  # the img2img variant shares modules without recasting them
