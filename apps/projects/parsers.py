"""The API's JSON parser (REST_FRAMEWORK's default; kept apart from the views, which DRF's settings
import it before)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deep for Python's json (thousands of [[[…)
    answered as the 400 any other unreadable body gets, not as a RecursionError's 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.")
