"""Benchmark the exporters on a 60-shot, 120-panel sequence (two panels a shot, every picture
different, 1280×536 PNGs as the renderer makes them, a review note on every third shot).

Standalone (no Django, no database): python bench/export.py [--layout 6]
Progress goes to stderr; the last line on stdout is one JSON object:
    boards_pdf_120_s, boards_pdf_mb   storyboards of the 120 panels (layout a page, A4 portrait)
    shot_list_pdf_s, shot_list_csv_ms the shot list printed and as CSV
    otio_ms, edl_ms, fcp_xml_ms       each timeline file built from the snapshot
    otio_edl_xml_ms                   the slowest of the three
    animatic_1080p_x_realtime         seconds of film per second of render (1080p, burn-ins on)
    animatic_1080p_s, animatic_mb     the render's time and the movie's size
    animatic_1080p_cpu_s              the CPU seconds it took (all threads): on a shared machine
                                      the wall time says more about the neighbours (load_average_1m)
    peak_rss_mb                       peak resident memory of this process
"""

import argparse
import io
import json
import os
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def log(message):
    print(message, file=sys.stderr, flush=True)


def pictures(count, width=1280, height=536):
    """Distinct pictures with the broad areas and edges of a render (so JPEG has real work)."""
    from PIL import Image, ImageDraw

    images = {}
    for n in range(count):
        image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        draw = ImageDraw.Draw(image)
        for k in range(6):
            x = (n * 97 + k * 211) % (width - 200)
            draw.rectangle((x, 80 + k * 50, x + 160, 300 + k * 30), fill=((n * 40 + k * 30) % 255, (k * 70) % 255, (n * 13) % 255))
        draw.ellipse((n * 7 % width, 100, n * 7 % width + 120, 400), fill=(220, 180, 120))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        images[f"media/bench/{n}.png"] = buffer.getvalue()
    return images


def snapshot(images, shots=60, panels=2):
    keys = sorted(images, key=lambda k: int(k.rsplit("/", 1)[1].split(".")[0]))
    scenes = []
    for s in range(1, 7):
        scene = {"number": str(s), "heading": "EXT. HARBOUR WALL - NIGHT", "synopsis": "", "shots": []}
        for k in range(shots // 6):
            index = (s - 1) * (shots // 6) + k
            scene["shots"].append(
                {
                    "number": f"{s}{chr(65 + k)}",
                    "shot_size": "MCU",
                    "framing": "single",
                    "angle": "low",
                    "movement": "dolly_in",
                    "rig": "dolly",
                    "lens_mm": 50.0,
                    "sensor": "super35",
                    "aspect_ratio": "2.39",
                    "fps": "24",
                    "duration_s": 2.5,
                    "characters": ["MAYA", "JONAS"],
                    "location": "Harbour wall",
                    "description": f"Shot {index + 1}: Maya grips the rail as the beam sweeps past; behind her the boat's lights round the breakwater.",
                    "dialogue": f"Don’t go — not tonight. Not with the sea like this ({index + 1}).",
                    "props": "Lantern",
                    "notes": "Rain towers on.",
                    "status": "ready",
                    "panels": [
                        {"duration_s": 1.25, "caption": "", "notes": "", "image": {"key": keys[index * panels + p], "sha256": "", "width": 1280, "height": 536}}
                        for p in range(panels)
                    ],
                    "clip": None,
                    "markers": [{"frame": 12, "frame_end": None, "text": "Hold longer", "kind": "comment", "status": "open"}] if index % 3 == 0 else [],
                }
            )
        scenes.append(scene)
    return {"title": "Harbour Light", "project": {"name": "Harbour Light", "fps": "24"}, "made_on": "2026-12-02", "scenes": scenes}


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layout", type=int, default=6)
    args = parser.parse_args()

    from workers.exports import animatic, pdf, shotlist, timeline

    log("making 120 pictures…")
    images = pictures(120)
    board = snapshot(images)
    log("storyboards…")
    boards, boards_s = timed(lambda: pdf.boards_pdf(board, images.__getitem__, layout=args.layout))
    shot_list, shot_list_s = timed(lambda: pdf.shot_list_pdf(board))
    _, csv_s = timed(lambda: shotlist.shot_list_csv(board))
    log("timelines…")
    timings = {}
    for fmt in ("otio", "edl", "fcp_xml"):
        timeline.timeline_file(board, fmt)  # the adapters' first load is not the export's cost
        _, seconds = timed(lambda fmt=fmt: timeline.timeline_file(board, fmt))
        timings[fmt] = round(seconds * 1000, 1)
    log("animatic at 1080p…")
    cpu_before = time.process_time()
    movie, movie_s = timed(lambda: animatic.animatic_mp4(board, images.__getitem__, resolution="1080p", burn_ins=True))
    movie_cpu_s = time.process_time() - cpu_before
    film_s = animatic.timeline(board)["length"] / 24
    result = {
        "boards_pdf_120_s": round(boards_s, 3),
        "boards_pdf_mb": round(len(boards) / 1e6, 2),
        "boards_layout": args.layout,
        "shot_list_pdf_s": round(shot_list_s, 3),
        "shot_list_csv_ms": round(csv_s * 1000, 1),
        "otio_ms": timings["otio"],
        "edl_ms": timings["edl"],
        "fcp_xml_ms": timings["fcp_xml"],
        "otio_edl_xml_ms": max(timings.values()),
        "animatic_1080p_x_realtime": round(film_s / movie_s, 2),
        "animatic_1080p_s": round(movie_s, 2),
        "animatic_1080p_cpu_s": round(movie_cpu_s, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "animatic_mb": round(len(movie) / 1e6, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
