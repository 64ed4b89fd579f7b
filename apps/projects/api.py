"""REST plumbing shared by every app: the scoped, versioned viewset and the error format.

Errors always come back as JSON: 400 {field: [messages]}, 403/404 {"detail": …}, and
409 {"detail": …, "current": <the row as it is now>} for a stale write.
"""

import copy
import functools

from django.db import IntegrityError, models
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from previs.vocabulary import LONG_TEXT_MAX_CHARS

from .access import require
from .concurrency import StaleVersion, expected_version
from .ids import id_or_400
from .permissions import VIEW


class TextOnlyField(serializers.CharField):
    """A text field that takes only text: DRF's own CharField turns 119092 into "119092", so a
    number sent for a name would be stored as its digits instead of refused."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The limit holds for what was sent, as the schema says (maxLength), not only for what
        # is left after trimming: 201 characters are refused even when the first is a space.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class BoundedText:
    """Mixin for a ModelSerializer: every text column takes only a string (TextOnlyField), and
    every long-text column (a TextField) gets the one length limit, LONG_TEXT_MAX_CHARS, so a
    20 MB note is a 400 over REST and an error frame in the room (whose ops are validated with
    these same serializers)."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializers.CharField:
            field_class = TextOnlyField
        if isinstance(model_field, models.TextField):
            field_kwargs.setdefault("max_length", LONG_TEXT_MAX_CHARS)
        return field_class, field_kwargs


class FieldsBuiltOnce:
    """Mixin for a ModelSerializer: its fields are built from the model once per class, and
    each instance gets copies (the way DRF itself copies declared fields: re-created from the
    arguments they were made with). Building thirty fields from model metadata on every
    instance is most of what a live edit's validation costs."""

    def get_fields(self):
        cls = type(self)
        templates = cls.__dict__.get("_field_templates")
        if templates is None:
            templates = super().get_fields()
            cls._field_templates = templates
        return copy.deepcopy(templates)


@functools.cache
def field_names(serializer_class):
    """A serializer's field names, and those of them that are read-only (built once)."""
    fields = serializer_class(context={}).fields
    return frozenset(fields), frozenset(name for name, field in fields.items() if field.read_only)


@functools.lru_cache(maxsize=1024)
def narrowed(serializer_class, names):
    """`serializer_class` with only the fields `names` (a frozenset of names it has), for a
    FieldsBuiltOnce serializer; any other is returned as it is.

    Building a ModelSerializer's thirty fields takes half a millisecond, twice per live edit (to
    validate it and to describe it to the room), while an edit names one or two fields. Partial
    validation only ever looks at the fields given, and these serializers have no validators
    that span fields, so the narrowed class checks exactly what the whole one would. (Their
    get_fields must not assume a field is there: see ProjectScopedSerializer.)"""
    if not issubclass(serializer_class, FieldsBuiltOnce):
        return serializer_class

    class Meta(serializer_class.Meta):
        fields = tuple(name for name in serializer_class.Meta.fields if name in names)

    return type(f"{serializer_class.__name__}Of", (serializer_class,), {"Meta": Meta, "__module__": serializer_class.__module__})


def filter_by_ids(queryset, request, params):
    """Narrow a list by the id query parameters it was given (?project=3&shot=12)."""
    for param in params:
        value = request.query_params.get(param)
        if value is not None:
            queryset = queryset.filter(**{f"{param}_id": id_or_400(value, param)})
    return queryset


def exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        # A uniqueness rule the serializer could not see coming (two people adding "12A" at once).
        return Response({"non_field_errors": ["That conflicts with an existing item (numbers and names must be unique)."]}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class ProjectScopedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD over a model that belongs to a project.

    Reads see only rows of the caller's projects (any other id is a 404). Writes carry the
    version they were based on and go through the app's services with the caller's access: the
    service checks the right (a member without it gets 403) and records the change for the
    room. Subclasses provide `perform_create_service`, `perform_update_service` and
    `perform_delete_service`.
    """

    versioned = True  # writes name a version: stale → 409 (documented by studio.openapi)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        queryset = self.queryset.filter(project__memberships__user=self.request.user)
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project", "scene", "shot"))
        return queryset

    def access_to(self, project_id):
        """The caller's access to the project (404 for a non-member), for the service to check."""
        return require(self.request.user, project_id, VIEW)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("update", "partial_update", "destroy") and "pk" in self.kwargs:
            context["project_id"] = self.get_object().project_id
        return context

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = super().get_object()
        return self._object

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            return Response(
                {"detail": "Someone changed this since you loaded it. Here is the current version.", "current": self.get_serializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create_service(serializer.validated_data)
        # Answer with the read shape (the create shape takes parent ids as plain integers).
        return Response(self.serializer_class(instance, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        access = self.access_to(instance.project_id)
        version = expected_version(request)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_update_service(access, instance, serializer.validated_data, version)
        return Response(self.get_serializer(instance).data)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        access = self.access_to(instance.project_id)
        self.perform_delete_service(access, instance, expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def scoped_parent(self, queryset, pk, field):
        """A parent object named in a request body, among the caller's projects (400 if not)."""
        parent = queryset.filter(project__memberships__user=self.request.user).filter(pk=id_or_400(pk, field)).first()
        if parent is None:
            raise ValidationError({field: ["No such item in your projects."]})
        return parent
