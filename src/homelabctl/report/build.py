"""Build the JSON report (schema ``homelabctl.report/v1``). Renderers read only this document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from homelabctl import __version__, kinds
from homelabctl.diagnose.model import RootCause
from homelabctl.engine import CheckRun
from homelabctl.kube import node_display_status, node_kubelet_version, node_roles
from homelabctl.model import Finding
from homelabctl.scores import Score
from homelabctl.sources.base import ClusterState
from homelabctl.timeutil import format_time, utcnow

SCHEMA_ID = "homelabctl.report/v1"


def finding_ids(findings: Sequence[Finding]) -> dict[Finding, str]:
    """F1..Fn in report order. Findings are hashable frozen records, so the same finding maps to one id."""
    return {finding: f"F{i}" for i, finding in enumerate(findings, start=1)}


def _finding_dict(finding: Finding, fid: str, root_cause: str | None) -> dict[str, Any]:
    return {"id": fid, **finding.to_dict(), "root_cause": root_cause}


def build_report(
    state: ClusterState, run: CheckRun, scores: dict[str, Score], root_causes: Sequence[RootCause] = ()
) -> dict[str, Any]:
    findings = run.findings
    ids = finding_ids(findings)
    cause_of: dict[Finding, str] = {}
    causes_out: list[dict[str, Any]] = []
    for n, cause in enumerate(root_causes, start=1):
        rc_id = f"R{n}"
        for symptom in cause.symptoms:
            cause_of.setdefault(symptom, ids[cause.cause])
        causes_out.append(
            {
                "id": rc_id,
                "finding": ids[cause.cause],
                "rule": cause.rule,
                "layer": cause.layer.value,
                "object": cause.object.to_dict(),
                "summary": cause.summary,
                "symptoms": [ids[s] for s in cause.symptoms if s in ids],
                "confidence": {
                    "level": cause.confidence,
                    "score": round(cause.score, 2),
                    "evidence": list(cause.evidence),
                },
                "next_steps": [step.to_dict() for step in cause.next_steps],
                "chain": [link.to_dict() for link in cause.chain],
            }
        )
    severities = [f.severity.value for f in findings]
    nodes_out = []
    node_issues: dict[str, list[str]] = {}
    for finding in findings:
        if finding.object.kind == "Node":
            node_issues.setdefault(finding.object.name, []).append(finding.message)
    for node in sorted(state.index.all(kinds.NODE), key=lambda n: n.name):
        nodes_out.append(
            {
                "name": node.name,
                "status": node_display_status(node),
                "roles": node_roles(node),
                "version": node_kubelet_version(node),
                "issues": node_issues.get(node.name, []),
            }
        )
    return {
        "schema": SCHEMA_ID,
        "generated_at": format_time(utcnow()),
        "reference_time": format_time(state.reference_time),
        "tool": {"name": "homelabctl", "version": __version__},
        "source": {
            "type": state.source.type,
            "name": state.source.name,
            "server_version": state.server_version,
        },
        "scores": {area: score.to_dict() for area, score in scores.items()},
        "summary": {
            "critical": severities.count("critical"),
            "warning": severities.count("warning"),
            "info": severities.count("info"),
            "findings": len(findings),
            "root_causes": len(causes_out),
            "checks_run": sum(
                1 for r in run.results if r.status in ("passed", "failed", "partially_evaluated")
            ),
            "checks_passed": len(run.passed),
            "not_evaluated": len(run.not_evaluated),
            "partially_evaluated": len(run.partially_evaluated),
            "objects": len(state.index),
        },
        "findings": [_finding_dict(f, ids[f], cause_of.get(f)) for f in findings],
        "root_causes": causes_out,
        "not_evaluated": [
            {"check": r.spec.id, "layer": r.spec.layer.value, "reason": r.reason} for r in run.not_evaluated
        ],
        "partially_evaluated": [
            {"check": r.spec.id, "layer": r.spec.layer.value, "reason": r.reason, "missing": list(r.missing)}
            for r in run.partially_evaluated
        ],
        "passed": [r.spec.id for r in run.passed],
        "nodes": nodes_out,
        "errors": [str(e) for e in state.errors],
    }


@cache
def report_schema() -> dict[str, Any]:
    from importlib.resources import files  # here: importlib.resources (and tempfile) cost every run ~5 ms

    text = (files("homelabctl.report") / "report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_report(report: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when the report breaks its published contract."""
    import jsonschema

    jsonschema.validate(report, report_schema())
