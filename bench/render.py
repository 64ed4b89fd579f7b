"""Benchmark the blocking renderer: frame time (colour + depth) at 720p and 1080p, a 5 s clip.

Standalone (no Django): python bench/render.py [--frames N] [--clip-size 960x540]
Progress goes to stderr; the last line on stdout is one JSON object:
    frame_720p_ms, frame_1080p_ms   median over N frames of colour + depth, one core
    clip_5s_s, clip_fps             a 5 s, 24 fps clip rendered and encoded (size in clip_size)
    clip_size                       the clip's width×height
    peak_mb                         peak resident memory of this process
    diffusion_512_ms, diffusion_768_ms  only when CUDA is available (the diffusion module's own numbers)
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# One core: keep BLAS/OpenMP pools from spreading numpy work (the renderer barely uses them anyway).
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")


def log(message):
    print(message, file=sys.stderr, flush=True)


def bench_scene():
    from previs.spec import layout_for_shot

    cast = [
        {"id": "1", "name": "ANNA", "height_m": 1.8, "colour": "#d9822b"},
        {"id": "2", "name": "BEN", "height_m": 1.75, "colour": "#3a7bd5"},
        {"id": "3", "name": "CAL", "height_m": 1.7, "colour": "#5aa469", "pose": "sitting"},
    ]
    pieces = [
        {"name": "table", "position": [0.0, 1.2], "size": [1.4, 0.8, 0.75], "colour": "#8a6d4b"},
        {"name": "back wall", "position": [0.0, 4.5], "size": [12.0, 0.2, 3.0]},
        {"name": "side wall", "position": [-5.0, 1.0], "size": [0.2, 9.0, 3.0]},
        {"name": "door", "position": [2.5, 4.3], "size": [1.0, 0.1, 2.1], "colour": "#6b5a48"},
    ]
    return layout_for_shot(
        shot_size="MS",
        angle="eye",
        lens_mm=35,
        sensor="super35",
        aspect="2.39",
        fps=24.0,
        duration_s=5.0,
        movement="arc",
        characters=cast,
        set_pieces=pieces,
        framing="group",
    )


def frame_ms(spec, width, height, count):
    from previs.move import camera_at
    from workers.renderers.blocking import draw_frame

    camera = camera_at(spec, 0.0)
    draw_frame(spec, camera, width, height, 0.0, with_depth=True)  # warm caches (fonts, figure meshes)
    times = []
    for index in range(count):
        t = index / 24
        camera = camera_at(spec, t)
        start = time.perf_counter()
        draw_frame(spec, camera, width, height, t, with_depth=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--clip-size", default="960x540")
    args = parser.parse_args()
    clip_w, clip_h = (int(v) for v in args.clip_size.lower().split("x"))

    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
            log(f"pinned to cpu {min(os.sched_getaffinity(0))}")
        except OSError as error:
            log(f"could not pin to one core: {error}")

    from workers.renderers.clip import render_clip

    spec = bench_scene()
    result = {}
    log(f"frame 1280x720 colour+depth, {args.frames} frames …")
    result["frame_720p_ms"] = round(frame_ms(spec, 1280, 720, args.frames), 2)
    log(f"  median {result['frame_720p_ms']} ms")
    log(f"frame 1920x1080 colour+depth, {args.frames} frames …")
    result["frame_1080p_ms"] = round(frame_ms(spec, 1920, 1080, args.frames), 2)
    log(f"  median {result['frame_1080p_ms']} ms")

    log(f"clip 5 s at 24 fps, {clip_w}x{clip_h}, H.264 …")
    start = time.perf_counter()
    clip = render_clip(spec, clip_w, clip_h, progress=lambda done, total: log(f"  {done}/{total}") if done % 40 == 0 else None)
    elapsed = time.perf_counter() - start
    result["clip_5s_s"] = round(elapsed, 3)
    result["clip_fps"] = round(clip.frame_count / elapsed, 1)
    result["clip_size"] = f"{clip.width}x{clip.height}"
    log(f"  {elapsed:.2f} s, {len(clip.mp4)} bytes")

    try:
        import torch

        if torch.cuda.is_available():
            from workers.renderers import diffusion

            # The configured weights, or a same-size randomly initialised SD 1.5 + ControlNet.
            for size in (512, 768):
                result[f"diffusion_{size}_ms"] = round(diffusion.benchmark_latency(size), 1)
    except ImportError:
        pass

    # ru_maxrss is in kilobytes on Linux.
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    # How fast this (shared, virtual) core is right now: a fixed pure-Python loop. The same
    # machine has shown 0.4 to 1.1 s here, and the frame times scale with it.
    start = time.perf_counter()
    total = 0
    for index in range(10_000_000):
        total += index
    result["cpu_ref_loop_s"] = round(time.perf_counter() - start, 3)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
