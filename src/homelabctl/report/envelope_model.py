"""The pydantic models of the v2 report envelope: the JSON Schemas are generated from them.

``envelope.py`` builds the reports as plain dicts (a report run never imports pydantic: its import and
validation were a tenth of a 10,000-object ``check -o json``); a test holds those dicts equal, key order
included, to what these models validate and dump, so the models stay the one definition of the format.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from homelabctl.report.envelope import SCHEMA_FILES, SCHEMA_ID


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tool(_Model):
    name: Literal["homelabctl"] = "homelabctl"
    version: str


class ObjectRef(_Model):
    kind: str
    namespace: str | None
    name: str


class Finding(_Model):
    id: str = Field(description="F1..Fn in report order, for check and scan alike")
    check: str = Field(description="The check or scan rule id (see `homelabctl rules`)")
    layer: Literal[
        "network", "node", "storage", "platform", "workload", "gpu", "security", "backup", "monitoring"
    ]
    severity: Literal["critical", "warning", "info"]
    object: ObjectRef
    message: str
    evidence: list[str]
    hint: str
    file: str | None = Field(description="Repository file (scan), else null")
    line: int | None = Field(description="1-based line in `file`, else null")
    root_cause: str | None = Field(description="Id of the finding that is its root cause (check), else null")
    fingerprint: str | None = Field(
        None, description="Stable identity across runs (scan baselines), when known"
    )


class Error(_Model):
    """Input that could not be read (a file, a document, a kind, the diagnosis): the run went on without it."""

    location: str = Field(description="File, tarball member, server or component")
    line: int | None
    message: str


class Summary(_Model):
    critical: int
    warning: int
    info: int
    findings: int
    run: int = Field(description="Checks (check) or rules (scan) that ran")
    errors: int


class CheckSource(_Model):
    type: Literal["live", "snapshot", "demo"]
    name: str
    server_version: str | None
    reference_time: str = Field(description="'Now' for ages: the capture time of a snapshot")


class CheckSummary(Summary):
    ignored: int = Field(0, description="Findings hidden by --skip or the ignore file")
    passed: int
    not_evaluated: int
    partially_evaluated: int = Field(0, description="Checks that ran on part of what they read")
    root_causes: int
    objects: int
    manifest_objects: int = Field(
        description="Objects never applied to a cluster (no status, uid or "
        "creationTimestamp): state checks do not judge them"
    )


class Score(_Model):
    score: int | None
    detail: str


class NotEvaluated(_Model):
    check: str
    layer: str
    reason: str


class PartiallyEvaluated(NotEvaluated):
    """A check some of whose kinds could not be read (forbidden, failed): no findings is then no verdict,
    and its findings, if any, cover only what was read."""

    missing: list[str] = Field(description="Group-kinds it reads that could not be read")


class Node(_Model):
    name: str
    status: str
    roles: list[str]
    version: str
    issues: list[str]


class CheckReport(_Model):
    schema_: Literal["homelabctl.report/v2"] = Field(SCHEMA_ID, alias="schema")
    command: Literal["check"] = "check"
    generated_at: str
    tool: Tool
    source: CheckSource
    summary: CheckSummary
    findings: list[Finding]
    errors: list[Error]
    scores: dict[str, Score]
    root_causes: list[dict[str, Any]] = Field(description="As in homelabctl.report/v1 (the diagnosis)")
    not_evaluated: list[NotEvaluated]
    partially_evaluated: list[PartiallyEvaluated] = Field(default_factory=list)
    passed: list[str]
    nodes: list[Node]

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ScanSource(_Model):
    type: Literal["repo"] = "repo"
    name: str = Field(description="The scanned directory")
    git: bool
    kube_version: str
    history: bool


class ScanSummary(Summary):
    files: int
    documents: int
    objects: int
    kustomizations: int
    helm_releases: int
    ignored: int
    baselined: int = Field(0, description="Findings hidden because the --baseline file accepts them")
    seconds: float


class ScanReport(_Model):
    schema_: Literal["homelabctl.report/v2"] = Field(SCHEMA_ID, alias="schema")
    command: Literal["scan"] = "scan"
    generated_at: str
    tool: Tool
    source: ScanSource
    summary: ScanSummary
    findings: list[Finding]
    errors: list[Error]
    objects: dict[str, Any] | None = Field(
        None, description="The Flux graph: Kustomizations, HelmReleases, sources (as in homelabctl.scan/v1)"
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def json_schema(command: Literal["check", "scan"]) -> dict[str, Any]:
    model = CheckReport if command == "check" else ScanReport
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://homelabctl.dev/schemas/{SCHEMA_FILES[command]}"
    return schema
