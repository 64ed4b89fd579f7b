"""The coverage planner's optional assistant: an OpenAI-compatible chat endpoint that may
rewrite the proposals' descriptions and suggest a few extra shots.

Off unless STUDIO_ASSISTANT_URL and STUDIO_ASSISTANT_MODEL are set (STUDIO_ASSISTANT_KEY is sent
as a bearer token when given). Its answer is held to the same pydantic model as the planner's
proposals (previs.coverage.ShotProposal) and to the scene (its cast, its lines) before anyone
sees it; when it is off, slow (STUDIO_ASSISTANT_TIMEOUT_S, default 20 s), unreachable, or answers
anything else, the planner's proposals stand unchanged and the reason is logged.
"""

import json
import logging
import os

import pydantic
import requests
from pydantic import BaseModel, ConfigDict, Field

from previs import coverage as planner

log = logging.getLogger(__name__)

MAX_EXTRA_SHOTS = 6

SYSTEM_PROMPT = (
    "You are a film director's first assistant planning coverage for one scene. You get the scene's "
    "lines and the shots already proposed, as JSON. Answer with one JSON object and nothing else: "
    '{"descriptions": {"<proposal key>": "<a better one-line shot description>"}, '
    '"extra_shots": [<shots worth adding, each an object with exactly the fields of a proposal: '
    "key (starting extra:), coverage (extra), description, shot_size, framing, angle, movement, rig, "
    "lens_mm, characters (names from the cast), subject, elements (ids of the lines it covers), "
    "dialogue, duration_s>]}. Use only the vocabulary values the proposals use. Suggest at most "
    f"{MAX_EXTRA_SHOTS} extra shots; none is fine."
)


class Answer(BaseModel):
    """What the assistant must answer."""

    model_config = ConfigDict(extra="forbid")

    descriptions: dict[str, str] = Field(default_factory=dict)
    extra_shots: list[planner.ShotProposal] = Field(default_factory=list, max_length=MAX_EXTRA_SHOTS)


class Unusable(ValueError):
    """The assistant's answer cannot be used; the message says why (for the log)."""


def settings():
    url = os.environ.get("STUDIO_ASSISTANT_URL", "").strip()
    model = os.environ.get("STUDIO_ASSISTANT_MODEL", "").strip()
    if not url or not model:
        return None
    return {
        "url": url.rstrip("/") + "/chat/completions",
        "model": model,
        "key": os.environ.get("STUDIO_ASSISTANT_KEY", ""),
        "timeout": float(os.environ.get("STUDIO_ASSISTANT_TIMEOUT_S", "20")),
    }


def fingerprint():
    """Which assistant plans (part of a scene's planning basis: switching it on plans again)."""
    config = settings()
    return f"{config['url']}|{config['model']}" if config else ""


def refine(scene, scene_input, planned):
    """The planner's proposals, with the assistant's descriptions and extra shots when it is on
    and its answer holds; otherwise the planner's, as they were."""
    config = settings()
    if config is None or not planned:
        return planned
    try:
        answer = _ask(config, scene_input, planned)
        return _apply(answer, scene_input, planned)
    except (requests.RequestException, Unusable) as error:
        log.warning("coverage assistant not used for scene %s: %s", scene.pk, error)
        return planned


def _ask(config, scene_input, planned):
    request = {
        "scene": {
            "setting": scene_input.setting,
            "location": scene_input.location,
            "time_of_day": scene_input.time_of_day,
            "cast": [c.name for c in scene_input.cast],
        },
        "lines": [{"id": line.id, "kind": line.kind, "character": line.character, "text": line.text} for line in scene_input.lines],
        "proposals": [shot.proposal.model_dump(mode="json") for shot in planned],
    }
    headers = {"Content-Type": "application/json"}
    if config["key"]:
        headers["Authorization"] = f"Bearer {config['key']}"
    response = requests.post(
        config["url"],
        json={
            "model": config["model"],
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": json.dumps(request)}],
        },
        headers=headers,
        timeout=config["timeout"],
    )
    if response.status_code != 200:
        raise Unusable(f"the endpoint answered HTTP {response.status_code}")
    try:
        content = response.json()["choices"][0]["message"]["content"]
        return Answer.model_validate(json.loads(content))
    except (ValueError, KeyError, IndexError, TypeError) as error:  # bad JSON, not a chat completion
        raise Unusable(f"the answer is not a chat completion carrying JSON ({type(error).__name__}: {error})")
    except pydantic.ValidationError as error:
        raise Unusable(f"the answer does not fit the proposal schema: {error.errors()[:3]}")


def _apply(answer, scene_input, planned):
    keys = {shot.proposal.key for shot in planned}
    names = {c.name for c in scene_input.cast}
    line_ids = {line.id for line in scene_input.lines}
    unknown = set(answer.descriptions) - keys
    if unknown:
        raise Unusable(f"descriptions for proposals that do not exist: {sorted(unknown)}")
    if any(len(text) > 2000 or not text.strip() for text in answer.descriptions.values()):
        raise Unusable("a description is empty or longer than 2,000 characters")
    out = [
        planner.PlannedShot(shot.proposal.model_copy(update={"description": answer.descriptions[shot.proposal.key].strip()}), shot.camera_spec)
        if shot.proposal.key in answer.descriptions
        else shot
        for shot in planned
    ]
    for extra in answer.extra_shots:
        if not extra.key.startswith("extra:") or extra.key in keys:
            raise Unusable(f"an extra shot's key must start with extra: and be new ({extra.key})")
        if set(extra.characters) - names or (extra.subject and extra.subject not in names):
            raise Unusable(f"extra shot {extra.key} names someone not in the scene")
        if set(extra.elements) - line_ids:
            raise Unusable(f"extra shot {extra.key} covers lines not in the scene")
        keys.add(extra.key)
        extra = extra.model_copy(update={"coverage": "extra"})
        out.append(planner.PlannedShot(extra, planner.camera_for(extra, scene_input)))
    return out
