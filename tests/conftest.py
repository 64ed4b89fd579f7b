"""Shared fixtures: people with each role, a project, API clients, media storage (local files or a
real S3-protocol server over HTTP), the render worker, and the channel layer in use."""

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.crew import services as project_services
from apps.projects.models import Membership
from apps.projects.permissions import DIRECTOR, EDITOR, VIEWER

PASSWORD = "a-long-test-password-42"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout} s")


@pytest.fixture(scope="session", autouse=True)
def _isolated_media(tmp_path_factory):
    """Local media goes to a temporary folder, never into the developer's .data/."""
    from django.conf import settings
    from django.test import override_settings

    root = tmp_path_factory.mktemp("media")
    local = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}}
    with override_settings(MEDIA_ROOT=root, S3_BUCKET="", STORAGES={**settings.STORAGES, "media": local, "default": local}):
        yield root


@pytest.fixture(scope="session", autouse=True)
def _clean_redis():
    """Start from an empty Redis database when the suite runs against Redis."""
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()
    yield


def make_user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


@pytest.fixture
def owner(db):
    return make_user("owner", first_name="Olive", last_name="Owner")


@pytest.fixture
def director(db):
    return make_user("director")


@pytest.fixture
def editor(db):
    return make_user("editor")


@pytest.fixture
def viewer(db):
    return make_user("viewer")


@pytest.fixture
def outsider(db):
    return make_user("outsider")


@pytest.fixture
def project(owner, director, editor, viewer):
    project = project_services.create_project(owner, {"name": "Harbour Light", "fps": "24", "aspect_ratio": "2.39"})
    Membership.objects.create(project=project, user=director, role=DIRECTOR)
    Membership.objects.create(project=project, user=editor, role=EDITOR)
    Membership.objects.create(project=project, user=viewer, role=VIEWER)
    return project


@pytest.fixture
def other_project(outsider):
    return project_services.create_project(outsider, {"name": "Someone else's film"})


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """api(user) -> an APIClient signed in as that user."""
    return client_for


# --- Object storage -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    """moto's standalone S3 server, over HTTP on loopback, for the whole session."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    """Media in a fresh bucket on the S3 server, configured exactly as production would be."""
    import boto3

    bucket = f"studio-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_server, **credentials).create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket,
        "endpoint_url": s3_server,
        "access_key": credentials["aws_access_key_id"],
        "secret_key": credentials["aws_secret_access_key"],
        "region_name": "us-east-1",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": True,
        "default_acl": None,
    }
    settings.S3_BUCKET = bucket
    settings.STORAGES = {**settings.STORAGES, "media": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
    return {"bucket": bucket, "endpoint": s3_server, **credentials}


@pytest.fixture(params=["local", "s3"])
def media_backend(request):
    """Runs a test once with local files and once against the S3 server."""
    if request.param == "s3":
        request.getfixturevalue("s3_storage")
    return request.param


# --- Workers ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def render_worker(django_db_blocker):
    """The real Celery worker (solo pool) in a thread, consuming the configured broker."""
    from apps.renders import embedded

    with django_db_blocker.unblock():
        worker = embedded.start_embedded_worker(reaper_interval_s=3600)
    yield worker


@pytest.fixture
def quiet_worker_after(request):
    """After the test, wait for the in-process worker to finish every job: the test database is
    flushed next, and a job still writing would deadlock with the flush on Postgres."""
    yield
    from apps.renders.models import RenderJob

    try:
        wait_until(lambda: not RenderJob.objects.filter(status__in=[RenderJob.QUEUED, RenderJob.RUNNING]).exists(), timeout=60)
    except AssertionError:
        pass  # a job the test left behind on purpose (no worker consumes it)


def wait_until(predicate, timeout=30.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


# --- A running studio (Daphne) on the test database ---------------------------------------------


def database_url_for_subprocess():
    """The URL of the test database this session uses, for servers started in subprocesses."""
    from django.db import connection

    conf = connection.settings_dict
    if conf["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{conf['NAME']}"
    return f"postgres://{conf['USER'] or 'postgres'}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


class StudioServer:
    """`python -m daphne` serving studio.asgi on a free port, against the test database."""

    def __init__(self, redis_url=None, port=None):
        self.port = port or free_port()
        self.redis_url = redis_url
        self.process = None

    @property
    def base(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=30):
        env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "STUDIO_LOG_LEVEL": "WARNING", "STUDIO_EMBEDDED_WORKER": "0"}
        env.pop("REDIS_URL", None)
        env.pop("CELERY_BROKER_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        import tempfile

        # The server's log is kept for the test report when something goes wrong.
        self.log_path = tempfile.mkstemp(prefix=f"studio-{self.port}-", suffix=".log")[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "studio.asgi:application"],
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "ab"),
        )
        wait_for_port(self.port, timeout=timeout)
        return self

    def stop(self, kill=False):
        if self.process and self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # open sockets can hold Daphne's shutdown
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def studio_servers():
    """studio_servers(n, redis_url=None) -> list of running servers, stopped at the end."""
    started = []

    def start(count=1, redis_url=None):
        servers = [StudioServer(redis_url=redis_url).start() for _ in range(count)]
        started.extend(servers)
        return servers

    yield start
    for server in started:
        server.stop()


def session_cookie_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"
