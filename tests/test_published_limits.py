"""Limits the browser's inputs keep to are published once, as constants in the API schema
(ReviewLimits, ScriptLimits), and are the limits the server enforces."""

from apps.review import protocol
from apps.review.models import Guest, ShareLink
from apps.review.serializers import ApprovalSerializer, CommentSerializer, JoinSerializer
from apps.scripts.models import ScriptImport
from apps.scripts.serializers import ScriptUploadSerializer
from apps.web.openapi import add_to_openapi


def const(schema, name):
    prop = schema["properties"][name]
    return prop.get("const", (prop.get("enum") or [None])[0])


def test_review_limits_are_what_the_server_enforces():
    limits = protocol.openapi_components()["ReviewLimits"]
    assert const(limits, "max_comment_chars") == CommentSerializer().fields["body"].max_length == ApprovalSerializer().fields["comment"].max_length
    assert const(limits, "max_guest_name_chars") == JoinSerializer().fields["name"].max_length == Guest._meta.get_field("name").max_length
    assert const(limits, "max_share_label_chars") == ShareLink._meta.get_field("label").max_length
    assert const(limits, "max_mark_text_chars") == protocol.AnnotationShape.model_fields["text"].metadata[0].max_length


def test_script_limits_are_what_the_server_enforces():
    limits = add_to_openapi({}, None, None, True)["components"]["schemas"]["ScriptLimits"]
    assert (
        const(limits, "draft_name_max_chars")
        == ScriptImport._meta.get_field("draft_name").max_length
        == ScriptUploadSerializer().fields["draft_name"].max_length
    )
