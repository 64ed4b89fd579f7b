"""Script import: a generated 120-page, ~110-scene Fountain feature uploaded over the REST API and
read by the real Celery worker (embedded, as `make run` has it), then a revised draft with 10
changed scenes re-imported (dry run + apply) after every scene got a shot.

In-process (Django's test client over DRF, fresh SQLite in a temp dir). Prints progress on stderr
and one JSON line last on stdout: import_120p_s (upload to scenes stored), reimport_s (upload of
the revision to merged), shots_kept (must equal shots_before), coverage_all_s (the coverage planner's
proposals for every scene, planned and stored by GET /api/coverage-proposals/?project=),
coverage_reread_s (the same read once they are stored), proposals_per_scene, pages, scenes.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import log  # noqa: E402

CAST = ["MARA", "JONAH", "ISLA", "TOMAS", "HARBOURMASTER", "DR. OKAFOR", "RUTH", "KEEPER"]
PLACES = ["LIGHTHOUSE KITCHEN", "HARBOUR WALL", "LAMP ROOM", "BEACH", "HARBOUR OFFICE", "CLIFF PATH", "CHAPEL", "FERRY DECK", "PUB", "BOATHOUSE"]
TIMES = ["DAY", "NIGHT", "DAWN", "DUSK", "CONTINUOUS"]
WORDS = "the tide turns and the lamp keeps its slow watch over grey water while boats wait for a sign that never comes".split()
PROPS = ["LANTERN", "ROPE", "OAR", "LOGBOOK", "KETTLE", "FLARE GUN", "RADIO", "KEY"]


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def scene(rng, index, changed=False):
    setting = rng.choice(["INT.", "EXT."])
    lines = [f"{setting} {rng.choice(PLACES)} - {rng.choice(TIMES)}", ""]
    a, b = rng.sample(CAST, 2)
    lines += [f"{a} enters with the {rng.choice(PROPS)}. {sentence(rng, 14)}", ""]
    for _ in range(rng.randint(7, 10)):
        speaker = rng.choice([a, b])
        lines += [speaker, sentence(rng, rng.randint(6, 18)), ""]
        if rng.random() < 0.4:
            lines += [sentence(rng, rng.randint(20, 40)), ""]
    lines += [sentence(rng, 30), ""]
    if changed:
        lines += [f"{b}", f"This line is new in the blue pages, scene {index}.", ""]
    return "\n".join(lines)


def screenplay(scenes, changed=()):
    rng = random.Random(7)
    body = [scene(rng, i, changed=i in changed) for i in range(scenes)]
    return ("Title: The Long Watch\nAuthor: Bench Writer\n\n" + "\n".join(body)).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenes", type=int, default=110)
    args = parser.parse_args()

    os.environ["STUDIO_DATA_DIR"] = tempfile.mkdtemp(prefix="previs-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from apps.boards import services as boards
    from apps.boards.models import Scene, Shot
    from apps.crew import services as project_services
    from apps.renders import embedded
    from apps.scripts.models import ScriptImport
    from previs import screenplay as sp

    call_command("migrate", verbosity=0)
    embedded.start_embedded_worker(reaper_interval_s=3600)
    user = get_user_model().objects.create_user(username="bench", password="bench-password-1")
    project = project_services.create_project(user, {"name": "Script bench"})
    client = APIClient()
    client.force_authenticate(user)

    def run(data, name, colour, apply=False):
        started = time.perf_counter()
        answer = client.post(
            "/api/script-imports/", {"project": project.pk, "file": SimpleUploadedFile(name, data), "revision_colour": colour}, format="multipart"
        )
        assert answer.status_code == 201, answer.content
        job_id = answer.json()["id"]
        while True:
            job = ScriptImport.objects.get(pk=job_id)
            if job.status == "planned" and apply:
                assert client.post(f"/api/script-imports/{job_id}/apply/").status_code == 202
                apply = False
            elif job.status in ("applied", "failed", "planned"):
                break
            time.sleep(0.01)
        assert job.status == "applied", job.error
        return time.perf_counter() - started, job

    white = screenplay(args.scenes)
    scenes = sp.breakdown(sp.parse(white)[1])
    pages = sum(s.eighths for s in scenes) / 8
    log(f"{len(scenes)} scenes, {pages:.1f} pages, {len(white) // 1024} KB")
    import_s, _ = run(white, "long-watch.fountain", "white")
    log(f"imported in {import_s:.2f}s")

    # Coverage proposals for every scene: the first read plans and stores them, a second reads them back.
    started = time.perf_counter()
    answer = client.get(f"/api/coverage-proposals/?project={project.pk}")
    coverage_all_s = time.perf_counter() - started
    assert answer.status_code == 200, answer.content
    proposals = len(answer.json())
    started = time.perf_counter()
    assert client.get(f"/api/coverage-proposals/?project={project.pk}").status_code == 200
    coverage_reread_s = time.perf_counter() - started
    log(f"coverage: {proposals} proposals in {coverage_all_s:.2f}s (read again in {coverage_reread_s:.2f}s)")

    for row in Scene.objects.filter(project=project):
        boards.create_shot(row, {"description": "master"}, user)
    shots_before = Shot.objects.filter(project=project).count()

    changed = set(random.Random(3).sample(range(args.scenes), 10))
    reimport_s, job = run(screenplay(args.scenes, changed), "long-watch-blue.fountain", "blue", apply=True)
    log(f"re-imported in {reimport_s:.2f}s: {job.plan['counts']}")
    print(
        json.dumps(
            {
                "import_120p_s": round(import_s, 3),
                "reimport_s": round(reimport_s, 3),
                "shots_before": shots_before,
                "shots_kept": Shot.objects.filter(project=project).count(),
                "coverage_all_s": round(coverage_all_s, 3),
                "coverage_reread_s": round(coverage_reread_s, 3),
                "proposals_per_scene": round(proposals / len(scenes), 1),
                "changed": job.plan["counts"]["changed"],
                "pages": round(pages, 1),
                "scenes": len(scenes),
            }
        )
    )
    os._exit(0)  # the embedded worker thread does not stop on its own


if __name__ == "__main__":
    main()
