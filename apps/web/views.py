"""Serves the browser app's shell; the app itself is built by Vite from frontend/ into static/app."""

import json
from functools import lru_cache

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

MANIFEST = settings.BASE_DIR / "static" / "app" / ".vite" / "manifest.json"
ENTRY = "index.html"


@lru_cache(maxsize=1)
def _cached_manifest(mtime):
    return json.loads(MANIFEST.read_text())


def build_assets():
    """The entry script and stylesheets of the current Vite build, or None if it is not built."""
    if not MANIFEST.exists():
        return None
    entry = _cached_manifest(MANIFEST.stat().st_mtime).get(ENTRY)
    if entry is None:
        return None
    return {"script": f"app/{entry['file']}", "styles": [f"app/{css}" for css in entry.get("css", [])]}


@ensure_csrf_cookie
def app_shell(request, *args, **kwargs):
    assets = build_assets()
    status = 200 if assets else 503
    return render(request, "index.html", {"assets": assets}, status=status)
