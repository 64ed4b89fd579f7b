"""Board read and shot edit over the HTTP API, on a project with 500 shots and 1,000 panels.

Starts the studio (Daphne, embedded mode, fresh SQLite in a temp dir) in a subprocess, builds
the project, then times requests from this process over real HTTP. Also counts the queries the
board read makes for 10 and for 500 shots (in-process, Django's test client).

Board reads are timed three ways, each as a browser makes them (Accept-Encoding: gzip):
    board_read_*        a plain GET of an unchanged board (answered from the body encoded for its seq)
    board_revalidate_*  a GET with the ETag of the last read (If-None-Match: 304, nothing read)
    board_rebuild_*     a GET right after a shot edit moved the seq (the board read and encoded anew)
board_bytes is the JSON, board_gzip_bytes what crosses the wire.

Prints progress on stderr and one JSON line last on stdout.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def build_project(shots, panels_per_shot, name):
    from django.contrib.auth import get_user_model

    from apps.boards.models import Character, Panel, Scene, Shot
    from apps.crew import services as project_services

    user, _ = get_user_model().objects.get_or_create(username="bench")
    user.set_password("bench-password-1")
    user.save()
    project = project_services.create_project(user, {"name": name})
    from fractional_indexing import generate_n_keys_between

    scene_count = max(1, shots // 25)
    scene_ranks = generate_n_keys_between(None, None, scene_count)
    shot_ranks = generate_n_keys_between(None, None, shots)
    panel_ranks = generate_n_keys_between(None, None, panels_per_shot)
    scenes = Scene.objects.bulk_create([Scene(project=project, rank=scene_ranks[i], number=str(i + 1), synopsis=f"Scene {i + 1}") for i in range(scene_count)])
    rows = Shot.objects.bulk_create(
        [
            Shot(
                project=project,
                scene=scenes[i % scene_count],
                rank=shot_ranks[i],
                number=f"{i // scene_count + 1}A",
                description="Maya crosses to the window and looks out at the storm.",
                dialogue="MAYA: He's not coming.",
                camera_spec={},
            )
            for i in range(shots)
        ]
    )
    Panel.objects.bulk_create([Panel(project=project, shot=s, rank=panel_ranks[j], caption="panel") for s in rows for j in range(panels_per_shot)])
    maya = Character.objects.create(project=project, name="MAYA")
    Shot.characters.through.objects.bulk_create([Shot.characters.through(shot_id=s.pk, character_id=maya.pk) for s in rows])
    return project, user, rows


def count_board_queries(project, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/projects/{project.pk}/board/").status_code == 200
    return len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shots", type=int, default=500)
    parser.add_argument("--panels-per-shot", type=int, default=2)
    parser.add_argument("--reads", type=int, default=40)
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="previs-bench-")
    os.environ["STUDIO_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    log("building projects…")
    small, user, _ = build_project(10, args.panels_per_shot, "Bench 10")
    large, user, shots = build_project(args.shots, args.panels_per_shot, "Bench 500")
    queries_10 = count_board_queries(small, user)
    queries_500 = count_board_queries(large, user)
    from django.db import connections

    connections.close_all()

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runstudio", "--no-seed", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "STUDIO_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a busy machine starts the studio slowly
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/auth/session/")
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        token_request = urllib.request.Request(
            f"{base}/api/auth/token/",
            data=json.dumps({"username": "bench", "password": "bench-password-1"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        token = json.loads(urllib.request.urlopen(token_request).read())["token"]
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

        board_url = f"{base}/api/projects/{large.pk}/board/"
        browser = {**headers, "Accept-Encoding": "gzip"}

        def read_board(extra=None):
            """(milliseconds, status, body as sent, ETag)"""
            start = time.perf_counter()
            try:
                reply = opener.open(urllib.request.Request(board_url, headers={**browser, **(extra or {})}))
                status, body = reply.status, reply.read()
            except urllib.error.HTTPError as error:  # urllib raises on 304
                reply, status, body = error, error.code, error.read()
            return (time.perf_counter() - start) * 1000, status, body, reply.headers.get("ETag")

        log(f"timing {args.reads} board reads…")
        reads, revalidations = [], []
        for i in range(args.reads + 3):
            elapsed, status, packed, etag = read_board()
            assert status == 200
            if i >= 3:  # warm-up excluded
                reads.append(elapsed)
        size, wire_size = len(gzip.decompress(packed)), len(packed)
        for i in range(args.reads):
            elapsed, status, _body, _etag = read_board({"If-None-Match": etag})
            assert status == 304, status
            revalidations.append(elapsed)

        log(f"timing {args.reads} board reads after an edit…")
        rebuilds = []
        versions = {}
        for i in range(args.reads):
            shot = shots[-1 - i % len(shots)]
            version = versions.get(shot.pk, 1)
            edit = urllib.request.Request(
                f"{base}/api/shots/{shot.pk}/",
                method="PATCH",
                data=json.dumps({"notes": f"rebuild {i}"}).encode(),
                headers={**headers, "If-Match": f'"{version}"'},
            )
            versions[shot.pk] = json.loads(opener.open(edit).read())["version"]
            elapsed, status, _body, new_etag = read_board({"If-None-Match": etag})
            assert status == 200 and new_etag != etag
            etag = new_etag
            rebuilds.append(elapsed)

        log(f"timing {args.edits} shot edits…")
        edits = []
        for i in range(args.edits):
            shot = shots[i % len(shots)]
            version = versions.get(shot.pk, 1)
            request = urllib.request.Request(
                f"{base}/api/shots/{shot.pk}/",
                method="PATCH",
                data=json.dumps({"notes": f"edit {i}", "lens_mm": 24 + i % 100}).encode(),
                headers={**headers, "If-Match": f'"{version}"'},
            )
            start = time.perf_counter()
            reply = json.loads(opener.open(request).read())
            edits.append((time.perf_counter() - start) * 1000)
            versions[shot.pk] = reply["version"]
    finally:
        server.terminate()
        server.wait(timeout=20)

    result = {
        "shots": args.shots,
        "panels": args.shots * args.panels_per_shot,
        "board_bytes": size,
        "board_gzip_bytes": wire_size,
        "board_read_p50_ms": round(statistics.median(reads), 1),
        "board_read_p99_ms": round(percentile(reads, 0.99), 1),
        "board_revalidate_p50_ms": round(statistics.median(revalidations), 1),
        "board_revalidate_p99_ms": round(percentile(revalidations, 0.99), 1),
        "board_rebuild_p50_ms": round(statistics.median(rebuilds), 1),
        "board_rebuild_p99_ms": round(percentile(rebuilds, 0.99), 1),
        "shot_edit_p50_ms": round(statistics.median(edits), 1),
        "shot_edit_p99_ms": round(percentile(edits, 0.99), 1),
        "queries_10": queries_10,
        "queries_500": queries_500,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
