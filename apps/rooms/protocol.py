"""The room protocol: every message a client may send and every message the server sends, defined
once. The consumer validates incoming frames with these models; the OpenAPI schema carries their
JSON Schema (see `openapi_components`), so the browser's message types are generated from here
like the REST types. docs/protocol.md describes each message.
"""

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from apps.projects.ids import MAX_ID

# What an op may address (which of their fields are merged character by character, and so may
# take a text op, is previs.vocabulary.TEXT_FIELDS).
Entity = Literal["scene", "shot", "panel", "character", "location", "comment", "annotation", "approval"]
OrderedEntity = Literal["scene", "shot", "panel"]

MAX_FRAME_BYTES = 64 * 1024  # larger frames (in UTF-8 bytes) get a too_large error frame and are not applied
# How a room socket is closed for good (apps.rooms.consumers, and review sockets too): the
# browser stops reconnecting on these instead of treating them as a network fault.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404  # not a member (or no longer one)
MAX_TEXT_UPDATE_CHARS = 48 * 1024
OP_ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A row's id (apps.projects.ids): refused as a bad message when out of range, so it never
# reaches a query.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- Operations (client → server, inside an "op" message) -------------------------------------

# A seq of the project's change log as a client names it: a JSON integer, nothing coerced.
Seq = Annotated[int, Field(strict=True, ge=0, le=MAX_ID)]


class SetOp(Message):
    """Set some fields of one row. Each field is last-writer-wins in server order, unless the op
    names the board it was made on (`base_seq`): then a field someone else changed after that seq
    is kept as they left it and answered with a conflict message (docs/architecture.md, "No
    silent loss")."""

    kind: Literal["set"]
    entity: Entity
    id: Id
    fields: dict[str, Any] = Field(max_length=40)
    base_seq: Seq | None = Field(
        default=None,
        description="The last seq of the board this edit was made on (sent by a client whose edit could not go out live: "
        "made offline, restored after a reload, resent after a drop). Absent: last writer wins.",
        # No default in the schema, so the generated browser type has it optional (live edits omit it).
        json_schema_extra=lambda schema: schema.pop("default", None),
    )


class CreateOp(Message):
    """Create a row under a parent: a project (scene, character, location), a scene (shot) or a
    shot (panel, comment, annotation, approval). Ordered rows land after `after` (null: at the end)."""

    kind: Literal["create"]
    entity: Entity
    parent: Id
    after: Id | None = None
    fields: dict[str, Any] = Field(default_factory=dict, max_length=40)


class DeleteOp(Message):
    kind: Literal["delete"]
    entity: Entity
    id: Id


class MoveOp(Message):
    """Place a row right after `after` (null: first), optionally under a new parent."""

    kind: Literal["move"]
    entity: OrderedEntity
    id: Id
    after: Id | None
    parent: Id | None = None


class TextOp(Message):
    """A Yjs update (base64) to one long-text field; merged with everyone's typing."""

    kind: Literal["text"]
    entity: Entity
    id: Id
    field: str
    update: str = Field(max_length=MAX_TEXT_UPDATE_CHARS)


Op = Annotated[SetOp | CreateOp | DeleteOp | MoveOp | TextOp, Field(discriminator="kind")]


# --- Client → server --------------------------------------------------------------------------


class OpMessage(Message):
    type: Literal["op"]
    op_id: str = Field(pattern=OP_ID_PATTERN, description="The client's id for this op; resending it is harmless.")
    op: Op


class CatchUpMessage(Message):
    type: Literal["catch_up"]
    after: int = Field(ge=0, le=MAX_ID, description="The last seq this client applied.")


class Focus(Message):
    entity: Entity
    id: Id
    field: str | None = Field(default=None, max_length=40)


class Cursor(Message):
    """A pointer position on the storyboard grid, in the grid's own 0..1 coordinates."""

    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)


class PresenceMessage(Message):
    type: Literal["presence"]
    focus: Focus | None = None
    cursor: Cursor | None = None


class TextSyncMessage(Message):
    """Ask for the full CRDT state of one text field before editing it."""

    type: Literal["text_sync"]
    entity: Entity
    id: Id
    field: str


class PingMessage(Message):
    type: Literal["ping"]
    t: float | None = None


ClientMessage = Annotated[
    OpMessage | CatchUpMessage | PresenceMessage | TextSyncMessage | PingMessage,
    Field(discriminator="type"),
]
client_message = TypeAdapter(ClientMessage)


# --- Server → client --------------------------------------------------------------------------


class Member(Message):
    session: str = Field(description="One socket (a person may have several).")
    user: int
    name: str
    colour: str
    role: str
    focus: Focus | None = None
    cursor: Cursor | None = None


class ChangeEvent(Message):
    seq: int
    action: Literal["create", "update", "delete", "move"]
    entity: str
    id: int
    data: dict[str, Any]
    actor: int | None
    client_op_id: str | None
    at: str


class HelloMessage(Message):
    type: Literal["hello"]
    project: int
    seq: int
    role: str
    you: Member


class AckMessage(Message):
    type: Literal["ack"]
    op_id: str
    seq: int | None = Field(description="Seq of the op's change; null when it changed nothing.")
    id: int | None = Field(default=None, description="The row the op created or touched.")
    duplicate: bool = False


# Errors about an op that was dropped unread, not refused: the client resends the op with the
# same op_id after a backoff (the flood limit; the room's op queue full). Any other error with an
# op_id is final for that op: the client drops it and rolls its optimistic change back.
RETRY_LATER = ("rate_limited", "busy")


class ErrorMessage(Message):
    """An error; `code` is one of docs/protocol.md "Errors and limits". rate_limited and busy
    (RETRY_LATER) mean: resend that op later, with the same op_id."""

    type: Literal["error"]
    code: Literal["bad_json", "bad_message", "too_large", "rate_limited", "busy", "forbidden", "not_found", "invalid", "conflict", "internal"]
    detail: str
    op_id: str | None = None
    errors: dict[str, list[str]] | None = Field(default=None, description="Field path → messages, for invalid.")


class FieldConflict(Message):
    """One field of a set op that was not written: someone else changed it after the op's base_seq."""

    mine: Any = Field(description="The value the op asked for (not written).")
    current: Any = Field(description="The field's value now (theirs, kept).")
    seq: int = Field(description="The seq of the latest change to the field by someone else.")
    actor: int | None = Field(description="Who made that change (null: the studio itself).")


class ConflictMessage(Message):
    """Sent to the op's sender just before its ack: these fields were left as someone else set
    them; the op's other fields were applied (the ack's seq). Sending the values again without
    base_seq writes them ("use mine")."""

    type: Literal["conflict"]
    op_id: str
    entity: Entity
    id: int
    fields: dict[str, FieldConflict]


class ChangeMessage(Message):
    type: Literal["change"]
    change: ChangeEvent


class ChangesMessage(Message):
    type: Literal["changes"]
    changes: list[ChangeEvent]
    complete: bool


class SnapshotMessage(Message):
    """Sent instead of changes when the client is too far behind: the whole board at `seq`."""

    type: Literal["snapshot"]
    seq: int
    board: dict[str, Any]


class PresenceStateMessage(Message):
    type: Literal["presence"]
    members: list[Member]


class RenderMessage(Message):
    type: Literal["render"]
    job: dict[str, Any]


class TextStateMessage(Message):
    type: Literal["text_state"]
    entity: str
    id: int
    field: str
    update: str = Field(description="The field's whole Yjs document state, base64.")
    text: str


class PongMessage(Message):
    type: Literal["pong"]
    t: float | None
    server_time: float


ServerMessage = Annotated[
    HelloMessage
    | AckMessage
    | ConflictMessage
    | ErrorMessage
    | ChangeMessage
    | ChangesMessage
    | SnapshotMessage
    | PresenceStateMessage
    | RenderMessage
    | TextStateMessage
    | PongMessage,
    Field(discriminator="type"),
]


class BatchMessage(Message):
    """Several server messages in one frame (the server coalesces what it sends in short windows)."""

    type: Literal["batch"]
    messages: list[ServerMessage]


def json_schemas(named_types):
    """JSON Schemas of protocol types by name (their nested models alongside), for the OpenAPI
    schema's components."""
    schemas = {}
    for name, annotation in named_types.items():
        schema = TypeAdapter(annotation).json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return schemas


class RoomLimits(BaseModel):
    """The numbers the browser must keep to exactly (frontend/src/state/socket.ts), as constants in
    the schema: the browser's copies are typed with them, so changing one here fails its type check."""

    max_frame_bytes: Literal[MAX_FRAME_BYTES]
    close_unauthenticated: Literal[CLOSE_UNAUTHENTICATED]
    close_not_found: Literal[CLOSE_NOT_FOUND]


def openapi_components():
    """Both directions of the room protocol, and its limits."""
    return json_schemas({"RoomClientMessage": ClientMessage, "RoomServerFrame": Union[ServerMessage, BatchMessage], "RoomLimits": RoomLimits})


def add_to_openapi(result, generator, request, public):
    """drf-spectacular post-processing hook: put the room protocol into the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(openapi_components())
    return result
