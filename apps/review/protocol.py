"""The review-session protocol (/ws/reviews/<id>/) and the shapes of annotations, defined once.

Like apps.rooms.protocol, the consumer validates every incoming frame against these models and
the OpenAPI schema carries their JSON Schema, so the browser's types are generated from here.
Comments, annotations and approvals are not special messages: they travel as room ops
(apps.rooms.protocol.OpMessage) on this socket or the project's, through the same write path.
docs/protocol.md describes each message.
"""

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from apps.rooms.protocol import AckMessage, ChangeMessage, ErrorMessage, Id, OpMessage, PingMessage, PongMessage, json_schemas

HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"
MAX_SHAPES = 200
MAX_POINTS = 4000
CLOSE_LINK_CLOSED = 4410  # a guest's share link was revoked or expired: final, the browser stops reconnecting
MAX_FRAME = 1_000_000
# Text lengths the review page's inputs keep to (their maxLength), from the one definition here.
MAX_COMMENT_CHARS = 5000  # a comment's body, and the note with a decision
MAX_GUEST_NAME_CHARS = 80  # the name a share-link guest gives
MAX_SHARE_LABEL_CHARS = 200  # who a share link was sent to
MAX_MARK_TEXT_CHARS = 500  # a text mark drawn on a frame
MIN_RATE, MAX_RATE = -4.0, 4.0
# The presenter's "play" starts this far in the future, so every viewer, wherever the
# message reaches them in the next moments, starts on the same frame at the same instant.
PLAY_LEAD_S = 0.12


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Annotation shapes (stored in Annotation.shapes, drawn live as strokes) ---------------------

Coordinate = Annotated[float, Field(ge=0, le=1)]
Pressure = Annotated[float, Field(ge=0, le=1)]
# x, y in 0..1 of the picture; pen points may carry the stylus pressure as a third number.
Point = Union[tuple[Coordinate, Coordinate], tuple[Coordinate, Coordinate, Pressure]]


class AnnotationShape(Message):
    """One mark. Widths are in pixels of a 1000-pixel-wide picture, so a mark keeps its weight
    at every size the picture is shown or exported."""

    tool: Literal["pen", "line", "arrow", "rect", "ellipse", "text"]
    colour: str = Field(pattern=HEX_COLOUR)
    width: float = Field(ge=0.5, le=64)
    points: list[Point] = Field(min_length=1, max_length=MAX_POINTS)
    text: str | None = Field(default=None, max_length=MAX_MARK_TEXT_CHARS)

    @model_validator(mode="after")
    def _points_fit_tool(self):
        needed = {"pen": 1, "line": 2, "arrow": 2, "rect": 2, "ellipse": 2, "text": 1}[self.tool]
        if len(self.points) < needed:
            raise ValueError(f"A {self.tool} needs at least {needed} points.")
        if self.tool in ("line", "arrow", "rect", "ellipse") and len(self.points) != 2:
            raise ValueError(f"A {self.tool} is given by exactly 2 points.")
        if self.tool == "text" and not (self.text or "").strip():
            raise ValueError("A text mark needs its text.")
        return self


shapes_adapter = TypeAdapter(list[AnnotationShape])


# --- Session state -----------------------------------------------------------------------------


class PlaybackState(Message):
    """Where playback is. Playing: the picture shows frame `frame` at server time `at` and runs
    at `rate` × the shot's fps from there. Paused: it shows `frame`. Viewers compute their
    position from this and their estimate of the server clock (see `pong`)."""

    item: int = Field(ge=0, description="Index of the shot in the review's selection.")
    frame: int = Field(ge=0, le=MAX_FRAME)
    playing: bool
    rate: float = Field(ge=MIN_RATE, le=MAX_RATE)
    at: float = Field(description="Server time (Unix seconds) at which `frame` is shown.")


class ZoomPan(Message):
    """The presenter's zoom and pan of the picture (centre in 0..1 image coordinates)."""

    zoom: float = Field(ge=1, le=16)
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)


# --- Client → server ---------------------------------------------------------------------------


class ControlMessage(Message):
    """The presenter's transport: play from `frame`, pause at `frame`, seek to `frame`, or go to
    shot `item` (at `frame`, default 0). Only the presenter may send it."""

    type: Literal["control"]
    action: Literal["play", "pause", "seek", "item"]
    frame: int = Field(ge=0, le=MAX_FRAME)
    item: int | None = Field(default=None, ge=0)
    rate: float = Field(default=1.0, ge=MIN_RATE, le=MAX_RATE)


class RequestControlMessage(Message):
    type: Literal["request_control"]


class HandOverMessage(Message):
    """The presenter gives control to another participant (a member's socket)."""

    type: Literal["hand_over"]
    to: str = Field(max_length=200)


class LaserMessage(Message):
    """The laser pointer: a point on the picture, or null when it leaves. Never stored."""

    type: Literal["laser"]
    x: float | None = Field(default=None, ge=0, le=1)
    y: float | None = Field(default=None, ge=0, le=1)


class StrokeMessage(Message):
    """A mark while it is being drawn: the points added since the last message of this stroke.
    Shown live to everyone and never stored; the finished annotation is saved with an op."""

    type: Literal["stroke"]
    stroke: str = Field(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")
    shot: Id
    frame: int = Field(ge=0, le=MAX_FRAME)
    tool: Literal["pen", "line", "arrow", "rect", "ellipse", "text", "eraser"]
    colour: str = Field(pattern=HEX_COLOUR)
    width: float = Field(ge=0.5, le=64)
    points: list[Point] = Field(max_length=500)
    done: bool = False


class ViewMessage(Message):
    type: Literal["view"]
    view: ZoomPan


ReviewClientMessage = Annotated[
    ControlMessage | RequestControlMessage | HandOverMessage | LaserMessage | StrokeMessage | ViewMessage | OpMessage | PingMessage,
    Field(discriminator="type"),
]
review_client_message = TypeAdapter(ReviewClientMessage)


# --- Server → client ---------------------------------------------------------------------------


class ReviewParticipant(Message):
    session: str
    name: str
    colour: str
    guest: bool
    can_present: bool


class SessionState(Message):
    playback: PlaybackState
    view: ZoomPan
    presenter: str | None = Field(description="The session that has control, or null.")


class ReviewHelloMessage(Message):
    type: Literal["hello"]
    review: int
    project: int
    you: ReviewParticipant
    can_comment: bool
    can_approve: bool
    server_time: float
    state: SessionState
    participants: list[ReviewParticipant]


class StateMessage(Message):
    type: Literal["state"]
    state: SessionState
    by: str | None = Field(default=None, description="Who changed it (a session), when a person did.")


class ParticipantsMessage(Message):
    type: Literal["participants"]
    participants: list[ReviewParticipant]


class ControlRequestMessage(Message):
    """To the presenter: someone asks for control (answer with hand_over)."""

    type: Literal["control_request"]
    session: str
    name: str


class LaserEvent(Message):
    type: Literal["laser"]
    session: str
    colour: str
    x: float | None
    y: float | None


class StrokeEvent(Message):
    type: Literal["stroke"]
    session: str
    stroke: str
    shot: int
    frame: int
    tool: str
    colour: str
    width: float
    points: list[Point]
    done: bool


class ViewEvent(Message):
    """The presenter zoomed or panned; followers match it."""

    type: Literal["view"]
    session: str
    view: ZoomPan


class ClosedMessage(Message):
    """Sent just before the server closes the socket for good (link revoked or expired)."""

    type: Literal["closed"]
    reason: str


ReviewServerMessage = Annotated[
    ReviewHelloMessage
    | StateMessage
    | ParticipantsMessage
    | ControlRequestMessage
    | LaserEvent
    | StrokeEvent
    | ViewEvent
    | ClosedMessage
    | AckMessage
    | ErrorMessage
    | ChangeMessage
    | PongMessage,
    Field(discriminator="type"),
]


class ReviewBatchMessage(Message):
    type: Literal["batch"]
    messages: list[ReviewServerMessage]


class ReviewLimits(BaseModel):
    """The numbers the review page must keep to exactly (frontend/src/review/protocol.ts, used by
    session.ts, Overlay.tsx, Comments.tsx, Approvals.tsx, ReviewPage.tsx and Share.tsx), as
    constants in the schema: the browser's copies are typed with them, so changing one here
    fails its type check."""

    close_link_closed: Literal[CLOSE_LINK_CLOSED]
    max_points: Literal[MAX_POINTS]
    max_comment_chars: Literal[MAX_COMMENT_CHARS]
    max_guest_name_chars: Literal[MAX_GUEST_NAME_CHARS]
    max_share_label_chars: Literal[MAX_SHARE_LABEL_CHARS]
    max_mark_text_chars: Literal[MAX_MARK_TEXT_CHARS]


def openapi_components():
    """Both directions of the review-session protocol, the annotation shape and the limits."""
    return json_schemas(
        {
            "ReviewClientMessage": ReviewClientMessage,
            "ReviewServerFrame": Union[ReviewServerMessage, ReviewBatchMessage],
            "AnnotationShape": AnnotationShape,
            "ReviewLimits": ReviewLimits,
        }
    )


def add_to_openapi(result, generator, request, public):
    """drf-spectacular post-processing hook: put the review protocol into the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(openapi_components())
    return result
