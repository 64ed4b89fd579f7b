"""Exporters: pure functions from a board snapshot (plain dicts made by apps.editorial.services
when the export is asked for) to the bytes of a document a crew or an editor opens.

No Django here. Pictures are read through the `load(key) -> bytes` callable the worker passes
in, and progress goes to `progress(done, total)`.

The snapshot: {"title", "project": {"name", "fps"}, "made_at", "scenes": [{"number", "heading",
"synopsis", "shots": [{"number", "shot_size", "framing", "angle", "movement", "rig", "lens_mm",
"sensor", "aspect_ratio", "fps", "duration_s", "characters": [names], "location", "description",
"dialogue", "props", "notes", "status", "panels": [{"duration_s", "caption", "notes", "image":
{"key", "width", "height"} | None}], "clip": {"key", "duration_s"} | None, "markers": [{"frame",
"text", "kind", "status"}]}]}]}.
"""

from collections.abc import Callable

# Reads a stored picture or clip by its storage key.
Load = Callable[[str], bytes]
# Told (done, total) as the document is made.
Progress = Callable[[int, int], None]


class ExportError(ValueError):
    """Input an exporter cannot make a document of (the service turns it into a 400)."""
