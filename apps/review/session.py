"""A live review session's state machine: who presents, and playback on one clock.

The consumer (apps.review.consumers) only handles the socket: it calls these and sends what
they return. The shared state lives on the Review row (playback, view, presenter), so any web
process can serve any participant; each transition reads the row under a lock, decides, writes.

The states, per session:
- nobody presents (presenter empty, or gone: their participant row timed out) → any member
  (not a guest) who joins or asks takes control;
- someone presents → only they play, pause, seek, change item, zoom/pan or hand over; a member
  who asks sends them a request; when they leave, control passes to the longest-present member
  who may present, or to nobody;
- playback: paused at (item, frame), or playing from (frame, at, rate): "frame F is shown at
  server time `at` at rate R". Play and seek while playing start PLAY_LEAD_S ahead, so every
  viewer can start the same frame at the same moment.

The decisions are the pure functions `playback_after` and `may_take_control`, tested directly;
the others add the row lock.
"""

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.projects.permissions import COMMENT
from apps.rooms.ops import OpError

from . import protocol
from .models import Participant, Review
from .services import review_shots

PARTICIPANT_TIMEOUT_S = 60
NOBODY = "nobody"  # `only_if_from` for taking control: only when no one presents


def default_state():
    return {"playback": {"item": 0, "frame": 0, "playing": False, "rate": 1.0, "at": time.time()}, "view": {"zoom": 1.0, "x": 0.5, "y": 0.5}}


def state_of(review):
    state = default_state()
    return {
        "playback": review.playback or state["playback"],
        "view": review.view or state["view"],
        "presenter": review.presenter or None,
    }


# --- Who may do what in a session ---------------------------------------------------------------


def can_present(access):
    """Crew members who may comment present; guests only watch."""
    return not access.is_guest and access.allows(COMMENT)


def check_marks(access):
    """The laser and live strokes are comments in the making: the comment right, as for a stored
    annotation (OpError "forbidden" for a watch-only link)."""
    if not access.allows(COMMENT):
        raise OpError("forbidden", "This link only lets you watch.")


# --- Pure transitions --------------------------------------------------------------------------


def playback_after(playback, action, frame, rate, item, items, now):
    """The playback after a presenter's control `action` at server time `now`; `items` is how
    many shots the review shows. Raises OpError for an item out of range."""
    playback = dict(playback or default_state()["playback"])
    if action == "play":
        playback.update(frame=frame, playing=True, rate=rate, at=now + protocol.PLAY_LEAD_S)
    elif action == "pause":
        playback.update(frame=frame, playing=False, at=now)
    elif action == "seek":
        playback.update(frame=frame, at=now + (protocol.PLAY_LEAD_S if playback.get("playing") else 0))
    elif action == "item":
        if item is None or not 0 <= item < max(items, 1):
            raise OpError("invalid", "No such shot in this review.", {"item": ["Out of range."]})
        playback.update(item=item, frame=frame, playing=False, at=now)
    else:
        raise OpError("invalid", f"Unknown control {action!r}.", {"action": ["Unknown."]})
    return playback


def may_take_control(presenter, presenter_present, requester_from):
    """Whether control may change hands now: `requester_from` is NOBODY (take it only when no
    one presents) or the channel that must be presenting (a hand-over)."""
    if requester_from == NOBODY:
        return not (presenter and presenter_present)
    return bool(presenter) and presenter == requester_from


# --- Transitions on the Review row -------------------------------------------------------------


def present(review_id):
    """The session's participants, less any whose process vanished without a goodbye."""
    Participant.objects.filter(review_id=review_id, seen_at__lt=timezone.now() - timedelta(seconds=PARTICIPANT_TIMEOUT_S)).delete()
    return Participant.objects.filter(review_id=review_id)


def participants_of(review_id):
    return [
        {"session": p.channel, "name": p.name, "colour": p.colour, "guest": p.guest_id is not None, "can_present": p.can_present}
        for p in Participant.objects.filter(review_id=review_id)
    ]


def join(review_id, channel, access, me):
    """A participant joins; a member who may present takes control when nobody presents.
    Returns (state, participants, took_control)."""
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review_id)
        Participant.objects.create(
            review=review,
            channel=channel,
            user=access.actor,
            guest=access.guest,
            name=me["name"],
            colour=me["colour"],
            can_present=me["can_present"],
        )
        took = False
        presenting = bool(review.presenter) and present(review.pk).filter(channel=review.presenter).exists()
        if me["can_present"] and may_take_control(review.presenter, presenting, NOBODY):
            review.presenter, took = channel, True
            if not review.playback:
                review.playback, review.view = default_state()["playback"], default_state()["view"]
            review.save(update_fields=["presenter", "playback", "view"])
        return state_of(review), participants_of(review.pk), took


def leave(review_id, channel):
    """A participant leaves; a presenter who leaves passes control to the longest-present member
    who may present, so the session goes on (a playing clip keeps playing). Returns (state,
    participants, passed)."""
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id).first()
        Participant.objects.filter(channel=channel).delete()
        if review is None:
            return None, [], False
        passed = False
        if review.presenter == channel:
            successor = present(review.pk).filter(can_present=True).first()
            review.presenter = successor.channel if successor else ""
            review.save(update_fields=["presenter"])
            passed = True
        return state_of(review), participants_of(review.pk), passed


def control(review_id, channel, action, frame, rate=1.0, item=None, items=None):
    """The presenter plays, pauses, seeks or changes item; anyone else is refused (OpError
    "forbidden"). `items` (how many shots the review shows) is read when not given."""
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review_id)
        if review.presenter != channel:
            raise OpError("forbidden", "Only the presenter controls playback; ask for control first.")
        count = len(review_shots(review)) if items is None else items
        review.playback = playback_after(review.playback, action, frame, rate, item, count, time.time())
        review.save(update_fields=["playback"])
        return state_of(review)


def set_presenter(review_id, to, only_if_from):
    """Control to channel `to`: when nobody presents (only_if_from=NOBODY), or handed over by the
    presenter (only_if_from=their channel). None when that does not hold now; OpError when `to`
    may not present (a guest, or not in the session)."""
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review_id)
        presenting = bool(review.presenter) and present(review.pk).filter(channel=review.presenter).exists()
        if not may_take_control(review.presenter, presenting, only_if_from):
            return None
        if not Participant.objects.filter(review=review, channel=to, can_present=True).exists():
            raise OpError("invalid", "That person cannot take control (guests only watch).", {"to": ["Not a member in this session."]})
        review.presenter = to
        review.save(update_fields=["presenter"])
        return state_of(review)


def presenter_of(review_id):
    return Review.objects.values_list("presenter", flat=True).get(pk=review_id)


def set_view(review_id, channel, view):
    """The presenter's zoom and pan, for everyone; False for anyone else."""
    return Review.objects.filter(pk=review_id, presenter=channel).update(view=view) == 1


def seen(channel):
    """The participant's process is alive (pings); keeps them counted as present."""
    Participant.objects.filter(channel=channel).update(seen_at=timezone.now())
