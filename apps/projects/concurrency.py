"""Optimistic concurrency: every write names the version it was based on."""

from rest_framework.exceptions import ValidationError


class StaleVersion(Exception):
    """The row changed since the caller read it; carries the current row for the 409 body."""

    def __init__(self, current):
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")
        self.current = current


def expected_version(request):
    """The version a write is based on: the If-Match header ("3", W/"3") or a `version` field.

    None when the caller names none; the write then applies to whatever is current, field by
    field (scripts that mean to overwrite). The browser app always sends it.
    """
    header = request.headers.get("If-Match")
    raw = header if header is not None else (request.data.get("version") if hasattr(request.data, "get") else None)
    if raw is None or raw == "*":
        return None
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        value = int(text)
    except ValueError:
        raise ValidationError({"version": ["Must be the integer version you last read (If-Match header or body)."]})
    if value < 1:
        raise ValidationError({"version": ["Versions start at 1."]})
    return value
