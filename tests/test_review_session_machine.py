"""The review session's state machine (apps.review.session), called directly: who presents,
playback on one clock, hand-over and leaving. The WebSocket tests (test_review_sessions.py)
drive the same functions through the socket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.boards import services as boards
from apps.projects.access import Access, access_for
from apps.projects.permissions import GUEST
from apps.review import protocol, session
from apps.review.models import Participant, Review
from apps.rooms.ops import OpError

pytestmark = pytest.mark.django_db


def me(access, name):
    return {"name": name, "colour": "#123456", "can_present": session.can_present(access)}


@pytest.fixture
def review(project, owner):
    scene = boards.create_scene(project, {}, owner)
    shots = [boards.create_shot(scene, {}, owner) for _ in range(2)]
    return Review.objects.create(project=project, title="r", shot_ids=[shot.pk for shot in shots])


def test_playback_transitions_are_one_clock():
    now = 1000.0
    paused = session.default_state()["playback"]
    playing = session.playback_after(paused, "play", 12, 1.0, None, 2, now)
    assert playing["playing"] and playing["frame"] == 12 and playing["at"] == now + protocol.PLAY_LEAD_S
    sought = session.playback_after(playing, "seek", 40, 1.0, None, 2, now)
    assert sought["playing"] and sought["at"] == now + protocol.PLAY_LEAD_S  # seeking while playing keeps playing, with the lead
    stopped = session.playback_after(sought, "pause", 44, 1.0, None, 2, now)
    assert not stopped["playing"] and stopped["frame"] == 44 and stopped["at"] == now
    assert session.playback_after(stopped, "seek", 3, 1.0, None, 2, now)["at"] == now  # paused: no lead
    moved = session.playback_after(playing, "item", 0, 1.0, 1, 2, now)
    assert moved["item"] == 1 and not moved["playing"]
    for item in (None, 2, -1):
        with pytest.raises(OpError) as refused:
            session.playback_after(playing, "item", 0, 1.0, item, 2, now)
        assert refused.value.code == "invalid"
    assert paused == session.default_state()["playback"] | {"at": paused["at"]}  # the input is not changed


def test_who_may_take_control():
    assert session.may_take_control("", False, session.NOBODY)
    assert session.may_take_control("gone", False, session.NOBODY)  # the presenter's process vanished
    assert not session.may_take_control("a", True, session.NOBODY)
    assert session.may_take_control("a", True, "a")  # the presenter hands over
    assert not session.may_take_control("a", True, "b")
    assert not session.may_take_control("", False, "b")


def test_join_control_hand_over_and_leave(review, project, director, editor, viewer):
    crew = access_for(director, project.pk)
    state, participants, took = session.join(review.pk, "chan-a", crew, me(crew, "Dee"))
    assert took and state["presenter"] == "chan-a" and len(participants) == 1
    second = access_for(editor, project.pk)
    state, _, took = session.join(review.pk, "chan-b", second, me(second, "Ed"))
    assert not took and state["presenter"] == "chan-a"
    guest = Access(project_id=project.pk, role=GUEST, scope="approve")
    assert not session.can_present(guest)
    with pytest.raises(OpError):
        session.check_marks(Access(project_id=project.pk, role=GUEST, scope="view"))
    session.check_marks(guest)

    # Only the presenter controls, zooms and hands over.
    with pytest.raises(OpError) as refused:
        session.control(review.pk, "chan-b", "play", 0)
    assert refused.value.code == "forbidden"
    state = session.control(review.pk, "chan-a", "play", 24, 1.0)
    assert state["playback"]["playing"] and state["playback"]["frame"] == 24
    with pytest.raises(OpError):
        session.control(review.pk, "chan-a", "item", 0, item=5)
    assert not session.set_view(review.pk, "chan-b", {"zoom": 2, "x": 0.5, "y": 0.5})
    assert session.set_view(review.pk, "chan-a", {"zoom": 2, "x": 0.5, "y": 0.5})
    assert session.set_presenter(review.pk, "chan-b", session.NOBODY) is None  # someone presents
    assert session.set_presenter(review.pk, "chan-b", "chan-b") is None  # not theirs to hand over
    with pytest.raises(OpError):
        session.set_presenter(review.pk, "chan-nobody", "chan-a")  # not in the session
    assert session.set_presenter(review.pk, "chan-b", "chan-a")["presenter"] == "chan-b"

    # The presenter leaves: control passes on, playback goes on as it was.
    state, participants, passed = session.leave(review.pk, "chan-b")
    assert passed and state["presenter"] == "chan-a" and state["playback"]["playing"]
    state, participants, passed = session.leave(review.pk, "chan-a")
    assert passed and state["presenter"] is None and participants == []


def test_a_presenter_who_vanished_loses_control_to_the_next_who_joins(review, project, director, editor):
    first = access_for(director, project.pk)
    session.join(review.pk, "chan-a", first, me(first, "Dee"))
    Participant.objects.filter(channel="chan-a").update(seen_at=timezone.now() - timedelta(seconds=session.PARTICIPANT_TIMEOUT_S + 1))
    second = access_for(editor, project.pk)
    state, participants, took = session.join(review.pk, "chan-b", second, me(second, "Ed"))
    assert took and state["presenter"] == "chan-b"
    assert [p["session"] for p in participants] == ["chan-b"]
