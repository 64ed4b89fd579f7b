"""Reading row ids from the outside world: URL paths, query strings, request bodies and socket
messages (the room sockets in apps.rooms use `parse_id` too).

An id is a whole number a BigAutoField can hold (1 … 2**63 - 1), written as an int or as ASCII
digits. Anything else ("²", "٣", "1e3", 2**64, True) is not an id: it is answered 400 in a body
or a filter and 404 in a path, never by a ValueError or OverflowError escaping as a 500.
"""

from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

MAX_ID = 2**63 - 1
NOT_AN_ID = "Must be an id (a whole number from 1)."


def parse_id(value):
    """The id `value` names, or None if it is not one (see the module docstring)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        # str.isdigit() accepts "²" and other Unicode digits that int() refuses or reads
        # differently; only ASCII digits are an id.
        if not (value.isascii() and value.isdigit()) or len(value) > 19:
            return None
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return value


def id_or_400(value, field):
    """The id in a request body or query parameter `field`, or a 400 naming the field."""
    parsed = parse_id(value)
    if parsed is None:
        raise ValidationError({field: [NOT_AN_ID]})
    return parsed


def id_or_404(value):
    """The id in a URL path, or 404 (a path that names no row does not exist)."""
    parsed = parse_id(value)
    if parsed is None:
        raise Http404("No such item.")
    return parsed


class IdField(serializers.IntegerField):
    """An id in a request body: what `parse_id` accepts, else the field's 400 message."""

    default_error_messages = {"invalid": NOT_AN_ID}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        parsed = parse_id(data)
        if parsed is None:
            self.fail("invalid")
        return parsed


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField that checks the id before the lookup: DRF's own passes "²" or
    2**64 to the database, which answers with an OverflowError (a 500) on SQLite."""

    def to_internal_value(self, data):
        if parse_id(data) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
