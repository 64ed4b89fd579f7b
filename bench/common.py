"""What the benchmarks share: ports, the processes they start and stop, CPU meters, a fresh
Postgres database, a project to work on, signing in. Kept free of the test package so a
benchmark runs on its own."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

PASSWORD = "bench-password-1"  # the benchmark users' (made by each benchmark's setup)


def log(*args):
    print(f"[{os.path.basename(sys.argv[0]).removesuffix('.py')}]", *args, file=sys.stderr, flush=True)


def percentile(values, fraction):
    """Nearest rank on the sorted values (bench/hocuspocus/load.mjs uses the same rule)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


class Procs:
    """Every process this bench starts, ended on the way out whatever happens."""

    def __init__(self):
        self.procs = []

    def start(self, *args, **kwargs):
        proc = subprocess.Popen(*args, start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, proc, grace=10):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def stop_all(self):
        for proc in reversed(self.procs):
            try:
                self.stop(proc)
            except Exception as error:  # keep cleaning up the others
                log(f"could not stop pid {proc.pid}: {error}")
        self.procs = []


class CpuMeter:
    """CPU seconds of a process and its children (psutil), sampled at marks."""

    def __init__(self, pid):
        import psutil

        self.psutil = psutil
        self.proc = psutil.Process(pid)
        self.marks = {}

    def total(self):
        procs = [self.proc]
        try:
            procs += self.proc.children(recursive=True)
        except self.psutil.Error:
            pass
        seconds = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
                seconds += times.user + times.system
            except self.psutil.Error:
                pass
        return seconds

    def mark(self, name):
        self.marks[name] = (time.monotonic(), self.total(), self.psutil.cpu_times())

    def pct(self, start, end):
        (t0, c0, _), (t1, c1, _) = self.marks[start], self.marks[end]
        return round(100 * (c1 - c0) / max(t1 - t0, 1e-9), 1)

    def machine_pct(self, start, end):
        """Whole machine busy %, of all cores (100 = every core busy)."""
        (_, _, a), (_, _, b) = self.marks[start], self.marks[end]
        busy = lambda t: t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) + getattr(t, "steal", 0)
        total = lambda t: busy(t) + t.idle + getattr(t, "iowait", 0)
        return round(100 * (busy(b) - busy(a)) / max(total(b) - total(a), 1e-9), 1)


def recreate_database(url):
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"odd database name {name!r}")
    admin = parsed._replace(path="/postgres").geturl()
    try:
        conn = psycopg.connect(admin, autocommit=True)
    except psycopg.OperationalError:
        conn = psycopg.connect(parsed._replace(path="/test").geturl(), autocommit=True)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_project(root, name, members):
    """In a setup subprocess: set Django up (settings from the environment), migrate, and make a
    project owned by "bench-owner" with `members` ([(username, first name, role)]). Everyone
    signs in with PASSWORD. Returns (project, {username: user})."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    sys.path.insert(0, str(root))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from apps.crew import services as project_services
    from apps.projects.models import Membership
    from apps.projects.permissions import ROLE_PERMISSIONS

    assert all(role in ROLE_PERMISSIONS for _, _, role in members), "unknown role"
    call_command("migrate", interactive=False, verbosity=0)
    User = get_user_model()
    owner = User.objects.create(username="bench-owner")
    owner.set_password(PASSWORD)
    owner.save()
    # One password hash for everyone: hashing is slow on purpose, and the salt does not matter here.
    User.objects.bulk_create([User(username=username, password=owner.password, first_name=first_name) for username, first_name, _ in members])
    users = {user.username: user for user in User.objects.filter(username__in=[username for username, _, _ in members])}
    project = project_services.create_project(owner, {"name": name})
    Membership.objects.bulk_create([Membership(project=project, user=users[username], role=role) for username, _, role in members])
    return project, users


def bench_shots(scene, count):
    """`count` plain shots at the end of an empty scene, in one insert; their ids in order."""
    from fractional_indexing import generate_n_keys_between

    from apps.boards.models import Shot

    Shot.objects.bulk_create(
        [
            Shot(project_id=scene.project_id, scene=scene, rank=rank, number=f"{j + 1}", description="Maya crosses to the window.", notes="", camera_spec={})
            for j, rank in enumerate(generate_n_keys_between(None, None, count))
        ]
    )
    return list(Shot.objects.filter(scene=scene).order_by("rank").values_list("pk", flat=True))


def sign_in(base, username):
    """POST /api/auth/session/ as a browser does; returns the sessionid cookie value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        opener.open(f"{base}/api/auth/session/", timeout=30)
    except urllib.error.HTTPError as error:  # 403 "not signed in" still sets the csrftoken cookie
        if error.code != 403:
            raise
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    request = urllib.request.Request(
        f"{base}/api/auth/session/",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": f"{base}/login/"},
    )
    opener.open(request, timeout=60).read()
    return next(c.value for c in jar if c.name == "sessionid")
