"""What the room hears about a render job, defined once: `JobEvent`, the change data logged (with
a seq) whenever a job is made or changes status, and `JobProgress`, the ephemeral progress tick
(`render` messages). The event that says a job succeeded carries what it made, so a client never
has to read the job again over REST. Their JSON Schemas go into the OpenAPI schema
(`add_to_openapi`), so the browser's types are generated from here.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from apps.rooms.protocol import json_schemas

# Outputs are the REST API's assets (apps.assets.serializers.AssetSerializer), in the same shape;
# the schema says so by pointing at its component (openapi_components).
Assets = list[dict[str, Any]]


class JobEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    shot: int | None
    panel: int | None
    kind: Literal["frame", "clip"]
    backend: Literal["blocking", "diffusion"]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: float
    error: str
    attempts: int
    seed: int
    created_at: str
    reused_from: int | None = Field(description="The earlier job whose identical result this one reuses (no worker ran).")
    outputs: Assets = Field(description="What the job made, once it succeeded (a reused job: the earlier job's); otherwise empty.")


class JobProgress(JobEvent):
    done: int = Field(description="Frames (or denoising steps) done.")
    total: int
    preview: str | None = Field(default=None, description="A small look at the picture as it forms (a data: URL), now and then.")


def openapi_components():
    schemas = json_schemas({"JobEvent": JobEvent, "JobProgress": JobProgress})
    for name in ("JobEvent", "JobProgress"):
        schemas[name]["properties"]["outputs"]["items"] = {"$ref": "#/components/schemas/Asset"}
    return schemas


def add_to_openapi(result, generator, request, public):
    """drf-spectacular post-processing hook: put the render job's room events into the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(openapi_components())
    return result
