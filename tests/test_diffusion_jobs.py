"""The diffusion backend through its real path, on CPU, with a tiny randomly initialised pipeline
saved to a local folder: job queued over HTTP → worker → styled frames in S3 → asset rows →
progress in the room → job succeeded. No hub, no network beyond loopback."""

import ipaddress
import socket

import pytest
from asgiref.sync import sync_to_async

from apps.assets import storage
from apps.boards import services
from apps.renders.models import RenderJob
from tests.conftest import wait_until
from tests.renderers.tiny_pipelines import save_tiny_pipeline
from tests.test_rooms import connect, next_of, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_worker_after")]


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-sd")
    save_tiny_pipeline(directory)
    return directory


@pytest.fixture
def loopback_only(monkeypatch):
    """Only loopback and local sockets: loading weights must never reach for a hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    real_connect = socket.socket.connect

    def connect_checked(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
                raise OSError(f"network blocked in tests: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect_checked)


@pytest.fixture
def shot(project, owner):
    scene = services.create_scene(project, {"time_of_day": "NIGHT"}, owner)
    maya = services.create_character(project, {"name": "MAYA", "description": "grey wool sweater"}, owner)
    return services.create_shot(scene, {"shot_size": "MS", "lens_mm": 35, "characters": [maya], "duration_s": 0.25, "description": "Maya waits."}, owner)


async def test_styled_frame_end_to_end(api, shot, editor, render_worker, s3_storage, settings, tiny_weights, loopback_only):
    settings.STUDIO_DIFFUSION_MODEL_PATH = str(tiny_weights)
    room, connected, _ = await connect(editor, shot.project_id)
    await next_of(room, "hello")
    response = await sync_to_async(api(editor).post)(
        "/api/render-jobs/", {"shot": shot.pk, "backend": "diffusion", "parameters": {"width": 64, "height": 64, "steps": 7, "strength": 1.0}}, format="json"
    )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    steps, statuses, previews = [], [], []
    while "succeeded" not in statuses and "failed" not in statuses:
        for message in await receive(room, timeout=60):
            if message["type"] == "render":
                steps.append((message["job"]["done"], message["job"]["total"]))
                if message["job"].get("preview"):
                    previews.append(message["job"]["preview"])
            elif message["type"] == "change" and message["change"]["entity"] == "render_job":
                statuses.append(message["change"]["data"]["status"])
    job = await sync_to_async(RenderJob.objects.get)(pk=job_id)
    assert job.status == "succeeded", job.error
    assert steps and steps[-1][0] == steps[-1][1]  # progress reported per denoising step, to the end
    assert previews and previews[0].startswith("data:image/jpeg;base64,")  # a look at the picture as it forms
    outputs = await sync_to_async(lambda: {o.kind: o for o in job.outputs.all()})()
    assert set(outputs) == {"frame", "depth"}
    assert (outputs["frame"].width, outputs["frame"].height) == (64, 64)
    data = await sync_to_async(storage.read)(outputs["frame"].key)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "X-Amz-Signature=" in await sync_to_async(storage.presigned_url)(outputs["frame"].key)
    await room.disconnect()


def test_styled_clip_end_to_end(api, shot, editor, render_worker, settings, tiny_weights, loopback_only):
    settings.STUDIO_DIFFUSION_MODEL_PATH = str(tiny_weights)
    response = api(editor).post(
        "/api/render-jobs/", {"shot": shot.pk, "backend": "diffusion", "kind": "clip", "parameters": {"width": 64, "height": 64, "steps": 2}}, format="json"
    )
    assert response.status_code == 201, response.content
    job = wait_until(lambda: (j := RenderJob.objects.get(pk=response.json()["id"])).status in RenderJob.FINISHED and j, timeout=120)
    assert job.status == "succeeded", job.error
    clip = job.outputs.get(kind="clip")
    assert clip.duration_s == pytest.approx(0.25, abs=0.05)
    assert storage.read(clip.key)[4:8] == b"ftyp"


def test_bad_diffusion_parameters(api, shot, editor, settings, tiny_weights):
    settings.STUDIO_DIFFUSION_MODEL_PATH = str(tiny_weights)
    response = api(editor).post(
        "/api/render-jobs/", {"shot": shot.pk, "backend": "diffusion", "parameters": {"steps": 0, "strength": 3, "sampler": "x", "prompt": 5}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"parameters.steps", "parameters.strength", "parameters.sampler", "parameters.prompt"}


def test_a_styled_frame_is_decided_when_the_job_is_made(api, shot, editor, render_worker, settings, tiny_weights, loopback_only):
    """The prompt is built from the shot when the job is made and is part of the reuse key: after
    the action changes, "Styled frame" renders anew instead of answering with a picture of the
    old prompt; with nothing changed, the stored picture is reused."""
    settings.STUDIO_DIFFUSION_MODEL_PATH = str(tiny_weights)
    client = api(editor)
    body = {"shot": shot.pk, "backend": "diffusion", "parameters": {"width": 64, "height": 64, "steps": 1, "strength": 1.0}}

    def render():
        response = client.post("/api/render-jobs/", body, format="json")
        assert response.status_code == 201, response.content
        return wait_until(lambda: (j := RenderJob.objects.get(pk=response.json()["id"])).status in RenderJob.FINISHED and j, timeout=120)

    first = render()
    assert first.status == "succeeded", first.error
    assert "Maya waits." in first.parameters["prompt"] and "grey wool sweater" in first.parameters["prompt"]
    assert first.parameters["steps"] == 1 and first.parameters["guidance_scale"] == 7.0  # defaults written in
    assert render().reused_from_id == first.pk
    client.patch(f"/api/shots/{shot.pk}/", {"description": "Maya runs for the last ferry."}, format="json")
    second = render()
    assert second.reused_from_id is None and second.spec_hash != first.spec_hash
    assert "Maya runs for the last ferry." in second.parameters["prompt"]
    assert second.status == "succeeded", second.error
