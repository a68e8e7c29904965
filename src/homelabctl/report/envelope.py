"""The v2 report envelope shared by ``check`` and ``scan`` (schema ``homelabctl.report/v2``).

Both commands answer in one vocabulary: ``schema``, ``command``, ``generated_at``, ``tool``, ``source``,
``summary``, ``findings`` (the same core fields, with ``file``/``line`` where there is one) and structured
``errors``. What only one command has (scores and root causes for ``check``; the repository's objects for
``scan``) sits next to them. The JSON Schemas are generated from these models
(``python -m homelabctl.report.envelope`` writes ``report/schemas/``; a test fails when they are stale).
The v1 reports (``homelabctl.report/v1``, ``homelabctl.scan/v1``) are still produced with ``--schema v1``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from homelabctl import __version__

SCHEMA_ID: Literal["homelabctl.report/v2"] = "homelabctl.report/v2"
SCHEMA_FILES = {"check": "check-report.v2.schema.json", "scan": "scan-report.v2.schema.json"}


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
    layer: Literal["network", "node", "storage", "platform", "workload", "gpu", "security", "backup",
                   "monitoring"]
    severity: Literal["critical", "warning", "info"]
    object: ObjectRef
    message: str
    evidence: list[str]
    hint: str
    file: str | None = Field(description="Repository file (scan), else null")
    line: int | None = Field(description="1-based line in `file`, else null")
    root_cause: str | None = Field(description="Id of the finding that is its root cause (check), else null")
    fingerprint: str | None = Field(None, description="Stable identity across runs (scan baselines), when known")


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
    manifest_objects: int = Field(description="Objects never applied to a cluster (no status, uid or "
                                               "creationTimestamp): state checks do not judge them")


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
    objects: dict[str, Any] | None = Field(None, description="The Flux graph: Kustomizations, HelmReleases, "
                                                             "sources (as in homelabctl.scan/v1)")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _finding(data: Mapping[str, Any], fid: str) -> dict[str, Any]:
    return {"id": fid, "check": data["check"], "layer": data["layer"], "severity": data["severity"],
            "object": data["object"], "message": data["message"], "evidence": list(data["evidence"]),
            "hint": data["hint"], "file": data.get("file"), "line": data.get("line"),
            "root_cause": data.get("root_cause"), "fingerprint": data.get("fingerprint")}


def check_v2(report: Mapping[str, Any], errors: Iterable[Any], *, manifest_objects: int = 0) -> dict[str, Any]:
    """The v2 check report from the v1 one (after filtering) and the run's ``LoadError`` records."""
    error_list = [{"location": str(e.location), "line": e.line, "message": str(e.message)} for e in errors]
    summary = report["summary"]
    out = CheckReport(
        schema=SCHEMA_ID,
        generated_at=report["generated_at"],
        tool=Tool(version=report["tool"]["version"]),
        source=CheckSource(type=report["source"]["type"], name=report["source"]["name"],
                           server_version=report["source"].get("server_version"),
                           reference_time=report["reference_time"]),
        summary=CheckSummary(critical=summary["critical"], warning=summary["warning"], info=summary["info"],
                             findings=summary["findings"], run=summary["checks_run"], errors=len(error_list),
                             ignored=summary.get("ignored", 0),
                             passed=summary["checks_passed"], not_evaluated=summary["not_evaluated"],
                             partially_evaluated=summary.get("partially_evaluated", 0),
                             root_causes=summary["root_causes"], objects=summary["objects"],
                             manifest_objects=manifest_objects),
        findings=[Finding(**_finding(f, f["id"])) for f in report["findings"]],
        errors=[Error(**e) for e in error_list],
        scores={k: Score(score=v["score"], detail=v["detail"]) for k, v in report["scores"].items()},
        root_causes=list(report["root_causes"]),
        not_evaluated=[NotEvaluated(check=n["check"], layer=n["layer"], reason=n["reason"])
                       for n in report["not_evaluated"]],
        partially_evaluated=[PartiallyEvaluated(check=n["check"], layer=n["layer"], reason=n["reason"],
                                                missing=list(n["missing"]))
                             for n in report.get("partially_evaluated", [])],
        passed=list(report["passed"]),
        nodes=[Node(name=n["name"], status=n["status"], roles=n["roles"], version=n["version"], issues=n["issues"])
               for n in report["nodes"]],
    )
    return out.model_dump(mode="json", by_alias=True)


def scan_v2(report: Mapping[str, Any]) -> dict[str, Any]:
    """The v2 scan report from the ``homelabctl.scan/v1`` one (``scan.render.to_json``)."""
    summary = report["summary"]
    repo = report["repo"]
    out = ScanReport(
        schema=SCHEMA_ID,
        generated_at=report["generated_at"],
        tool=Tool(version=__version__),
        source=ScanSource(name=repo["path"], git=repo["git"], kube_version=repo["kube_version"],
                          history=repo["history"]),
        summary=ScanSummary(critical=summary["critical"], warning=summary["warning"], info=summary["info"],
                            findings=len(report["findings"]), run=summary["rules"], errors=summary["errors"],
                            files=summary["files"], documents=summary["documents"], objects=summary["objects"],
                            kustomizations=summary["kustomizations"], helm_releases=summary["helm_releases"],
                            ignored=summary["ignored"], baselined=summary.get("baselined", 0),
                            seconds=summary["seconds"]),
        findings=[Finding(**_finding(f, f"F{i}")) for i, f in enumerate(report["findings"], start=1)],
        errors=[Error(location=e["file"], line=e["line"], message=e["message"]) for e in report["errors"]],
        objects=report.get("objects"),
    )
    return out.model_dump(mode="json", by_alias=True, exclude_none=False)


def json_schema(command: Literal["check", "scan"]) -> dict[str, Any]:
    model = CheckReport if command == "check" else ScanReport
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://homelabctl.dev/schemas/{SCHEMA_FILES[command]}"
    return schema


def schema_text(command: Literal["check", "scan"]) -> str:
    return json.dumps(json_schema(command), indent=2, sort_keys=True) + "\n"


def shipped_schema(command: Literal["check", "scan"]) -> dict[str, Any]:
    text = (files("homelabctl.report") / "schemas" / SCHEMA_FILES[command]).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def main(argv: list[str] | None = None) -> int:
    """Write the generated schemas into the package (``python -m homelabctl.report.envelope``)."""
    target = Path(__file__).parent / "schemas"
    target.mkdir(exist_ok=True)
    for command in ("check", "scan"):
        path = target / SCHEMA_FILES[command]
        path.write_text(schema_text(command), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
