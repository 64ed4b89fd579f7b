"""Run the whole embedded studio in one process: migrate, seed the demo, start the worker, serve.

    python manage.py runstudio [--host 127.0.0.1] [--port 8000] [--no-seed]

Daphne serves HTTP and WebSockets; in embedded mode (no CELERY_BROKER_URL/REDIS_URL) a Celery
worker thread runs inside this process (apps/renders/embedded.py explains why).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the studio: migrations, demo project, embedded worker and the Daphne server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-seed", action="store_true", help="Do not create the demo project.")

    def handle(self, *args, host, port, no_seed, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_seed:
            call_command("seed_demo")
        if settings.STUDIO_EMBEDDED_WORKER:
            from apps.renders.embedded import start_embedded_worker

            start_embedded_worker()
            self.stdout.write("Embedded render worker started (queues cpu, gpu, export).")
        self.stdout.write(self.style.SUCCESS(f"Previs Studio on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs/)"))
        from daphne.cli import CommandLineInterface

        # No --proxy-headers: X-Forwarded-For is believed only from STUDIO_TRUSTED_PROXIES
        # (studio.middleware.TrustedProxyMiddleware); Daphne would take it from anyone.
        CommandLineInterface().run(["--bind", host, "--port", str(port), "studio.asgi:application"])
