"""How the API describes itself (drf-spectacular): the error answers every operation documents,
and JSON Schema (pydantic's dialect) made into valid OpenAPI 3.0.

The schema is a contract: `manage.py spectacular --validate` must pass, the browser's types are
generated from it, and tests/test_contract.py fuzzes the running studio against it, so every
status an operation can answer has to be in it, with its body.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from apps.projects.ids import MAX_ID

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


# --- Error bodies (the format is apps.projects.api's: errors always come back as JSON) -------


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words for the person.")


class ValidationErrorsSerializer(serializers.Serializer):
    """Each field's name → its messages (nested fields nest). A body that could not be read at
    all answers {"detail": …} instead."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False, help_text="Messages about the whole body.")
    detail = serializers.CharField(required=False)


class StaleWriteSerializer(ErrorDetailSerializer):
    current = serializers.DictField(help_text="The row as it is now, in the operation's read shape.")


ERROR_BODIES = {
    400: ValidationErrorsSerializer,  # bad fields, ids, versions, unreadable JSON
    403: ErrorDetailSerializer,  # not signed in, a role that lacks the action, CSRF
    404: ErrorDetailSerializer,  # no such row, or a row of a project the caller is not in
    409: StaleWriteSerializer,  # the row changed since the version the write names
    410: ErrorDetailSerializer,  # a revoked or expired share link
    413: ErrorDetailSerializer,  # a body over the size limit
    429: ErrorDetailSerializer,  # too many tries (sign-in, share-link guesses)
}


class StudioAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers each operation can give.

    The standard ones follow from what an operation is (a body or query parameters → 400; a
    body → 413; a path id or a create → 404; a write on a versioned row → 409; throttled → 429; every
    operation → 403);
    a view adds the statuses of rules of its own with an `error_statuses` tuple (share links: 410).
    """

    def error_statuses(self):
        statuses = {403}
        has_path_id = "{" in self.path
        # Writes to a row name the version they were based on (If-Match): a bad one is a 400.
        versioned_write = getattr(self.view, "versioned", False) and self.method in WRITE_METHODS and has_path_id
        if self.method in ("POST", "PUT", "PATCH") or versioned_write or self._get_query_parameters_of_operation():
            statuses.add(400)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(413)  # a body over the size limit, refused before it is read
        if has_path_id or self.method == "POST":
            statuses.add(404)  # a row named in the path (or a parent named in the body) not among the caller's
        if versioned_write:
            statuses.add(409)
        if self.view.get_throttles():
            statuses.add(429)
        statuses.update(getattr(self.view, "error_statuses", ()))
        return statuses

    def _get_query_parameters_of_operation(self):
        return [p for p in self._get_parameters() if p.get("in") == "query"]

    def _get_parameters(self):
        parameters = super()._get_parameters()
        if getattr(self.view, "action", "list") != "list":
            # A viewset's query parameters are its list's filters: its other actions read none.
            parameters = [parameter for parameter in parameters if parameter.get("in") != "query"]
        # Every integer parameter of this API (a path's {id}, ?project=, ?shot=…) is a row id.
        for parameter in parameters:
            if parameter.get("schema", {}).get("type") == "integer":
                parameter["schema"] = {**ID_BOUNDS, **parameter["schema"]}
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(self.error_statuses()):
            code = str(status)
            # A declared error without a body (`403: None`) still answers JSON: describe it.
            if "content" not in responses.get(code, {}):
                responses[code] = self._get_response_for_code(ERROR_BODIES[status], code, direction=direction)
        return responses


# The ids apps.projects.ids accepts; anything else is a 400 (body, filter) or a 404 (path).
ID_BOUNDS = {"minimum": 1, "maximum": MAX_ID}


class IdRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """A row named by id in a body: an id's bounds (DRF's own related field states none)."""

    target_class = "apps.projects.ids.IdRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**ID_BOUNDS, **schema} if schema.get("type") == "integer" and direction == "request" else schema


# --- JSON Schema → OpenAPI 3.0 ----------------------------------------------------------------

# The keywords an OpenAPI 3.0 Schema Object may carry (besides x- extensions). Anything else
# pydantic writes (propertyNames, contentMediaType, …) 3.0 cannot say; the server still checks it.
OAS30_KEYWORDS = {
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "not",
    "allOf",
    "oneOf",
    "anyOf",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "example",
    "externalDocs",
    "deprecated",
    "xml",
    "$ref",
}


def is_null(schema):
    return isinstance(schema, dict) and schema.get("type") == "null" and len(schema.keys() - {"title", "description"}) == 1


def oas30(schema):
    """One JSON Schema (draft 2020-12, as pydantic writes it) as an OpenAPI 3.0 Schema Object.

    const → an enum of one; a union with null → the rest, nullable; a tuple (prefixItems) → an
    array of its items' types with the tuple's length; numeric exclusive bounds → 3.0's boolean
    form; examples → example; $ref with siblings → allOf of the ref. Already-valid 3.0 (what
    drf-spectacular writes) comes back unchanged.
    """
    if not isinstance(schema, dict):
        return schema  # `additionalProperties: true`
    schema = dict(schema)
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if isinstance(schema.get("type"), list):
        types = [t for t in schema["type"] if t != "null"]
        if len(types) < len(schema["type"]):
            schema["nullable"] = True
        if len(types) == 1:
            schema["type"] = types[0]
        else:
            del schema["type"]
            schema.setdefault("anyOf", [{"type": t} for t in types])
    if schema.get("type") == "null":
        del schema["type"]
        schema.update(nullable=True, enum=[None])
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema and any(is_null(option) for option in schema[keyword]):
            options = [option for option in schema.pop(keyword) if not is_null(option)]
            schema["nullable"] = True
            if len(options) == 1 and "$ref" not in options[0]:
                return oas30({**options[0], **schema})
            else:
                schema["allOf" if len(options) == 1 else keyword] = options
    if "prefixItems" in schema:
        positions = schema.pop("prefixItems")
        if "items" in schema and schema["items"] is not False:
            positions = [*positions, schema["items"]]
        else:
            schema.setdefault("maxItems", len(positions))
        schema.setdefault("minItems", len(positions))
        distinct = [p for i, p in enumerate(positions) if p not in positions[:i]]
        schema["items"] = distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if bound in schema and not isinstance(schema[bound], bool):
            schema[limit] = schema[bound]
            schema[bound] = True
    if "examples" in schema:
        examples = schema.pop("examples")
        if isinstance(examples, list) and examples:
            schema.setdefault("example", examples[0])
    if "patternProperties" in schema and "additionalProperties" not in schema:
        # 3.0 has no key patterns: values are still described.
        values = list(schema["patternProperties"].values())
        schema["additionalProperties"] = values[0] if len(values) == 1 else {"anyOf": values}
    schema = {key: value for key, value in schema.items() if key in OAS30_KEYWORDS or key.startswith("x-")}
    if "$ref" in schema and len(schema) > 1:
        ref = schema.pop("$ref")
        schema["allOf"] = [{"$ref": ref}, *schema.get("allOf", [])]

    if "properties" in schema:
        schema["properties"] = {name: oas30(value) for name, value in schema["properties"].items()}
    for keyword in ("items", "additionalProperties", "not"):
        if keyword in schema:
            schema[keyword] = oas30(schema[keyword])
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword in schema:
            schema[keyword] = [oas30(option) for option in schema[keyword]]
    return schema


def json_schema_components(schema):
    """A JSON Schema with its `$defs` (refs written as #/components/schemas/{model}) as OpenAPI
    3.0 components: {name: component} for the definitions, and the schema itself."""
    definitions = schema.pop("$defs", {})
    return {name: oas30(definition) for name, definition in definitions.items()}, oas30(schema)


def _schemas_in(node):
    """Every `schema` of parameters, bodies and headers under the paths."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                yield node
            else:
                yield from _schemas_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas_in(value)


def as_openapi_3_0(result, generator, request, public):
    """drf-spectacular post-processing hook, the last one: whatever JSON Schema reached the
    schema (pydantic models through drf-spectacular's pydantic extension, extend_schema_field,
    the protocol hooks) leaves as OpenAPI 3.0, its $defs as components."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in list(components.items()):
        nested, components[name] = json_schema_components(schema)
        for nested_name, definition in nested.items():
            components.setdefault(nested_name, definition)
    for holder in _schemas_in(result.get("paths", {})):
        nested, holder["schema"] = json_schema_components(holder["schema"])
        for nested_name, definition in nested.items():
            components.setdefault(nested_name, definition)
    return result
