"""previs's published vocabulary: what the browser gets with its page and from
GET /api/vocabulary/, from the one definition in previs/vocabulary.py and previs/spec.py."""

import json
import re

import pytest

from previs import spec, vocabulary
from previs.published import VOCABULARY
from workers.exports.shotlist import COLUMNS as SHOT_LIST_COLUMNS

pytestmark = pytest.mark.django_db


def test_the_page_and_the_endpoint_carry_the_one_vocabulary(client):
    answer = client.get("/api/vocabulary/")
    assert answer.status_code == 200
    published = answer.json()
    # previs's words, plus what the studio adds (what it can render, the role table, the shot-list
    # CSV's columns for a pasted spreadsheet).
    words = VOCABULARY.model_dump(mode="json")
    assert {k: v for k, v in published.items() if k in words} == words
    assert set(published) - set(words) == {"capabilities", "roles", "shot_list_columns"}
    assert [(c["header"], c["field"]) for c in published["shot_list_columns"]] == [(header, field) for header, field, _ in SHOT_LIST_COLUMNS]
    assert set(published["capabilities"]) == {"styled_renders", "styled_renders_reason"}
    page = client.get("/login").content.decode()
    embedded = re.search(r'<script id="studio-vocabulary" type="application/json">(.*?)</script>', page, re.DOTALL)
    assert embedded and json.loads(embedded.group(1)) == published


def test_every_vocabulary_is_published_in_order_with_its_short_labels():
    data = VOCABULARY.model_dump()
    assert [t["value"] for t in data["shot_sizes"]] == list(vocabulary.values(vocabulary.SHOT_SIZES))
    assert {t["value"]: t["short"] for t in data["shot_sizes"]}["INSERT"] == "INS"
    assert [t["value"] for t in data["camera_moves"]] == list(data["move_uses"]) == list(spec.MOVE_DEFAULTS)
    assert data["move_uses"]["steadicam"] == ["distance_m", "amplitude_deg", "seed"]
    assert {s["value"]: (s["width_mm"], s["short"]) for s in data["sensors"]}["super35"] == (24.89, "S35")
    assert {a["value"]: a["ratio"] for a in data["aspect_ratios"]}["1.78"] == 16 / 9
    assert (data["lens_mm_min"], data["lens_mm_max"]) == vocabulary.LENS_MM_RANGE
    end_lens = next(p for p in data["move_parameters"] if p["name"] == "end_lens_mm")
    assert (end_lens["min"], end_lens["max"]) == vocabulary.LENS_MM_RANGE


def test_the_published_move_bounds_are_the_ones_the_spec_enforces():
    with pytest.raises(spec.SpecError) as refused:
        spec.normalize_spec({"move": {"type": "handheld", "amplitude_deg": 10.5}})
    assert "move.amplitude_deg" in refused.value.errors
    assert spec.normalize_spec({"move": {"type": "handheld", "amplitude_deg": 10.0}})["move"]["amplitude_deg"] == 10.0
