"""The v2 report envelope shared by ``check`` and ``scan`` (schema ``homelabctl.report/v2``).

Both commands answer in one vocabulary: ``schema``, ``command``, ``generated_at``, ``tool``, ``source``,
``summary``, ``findings`` (the same core fields, with ``file``/``line`` where there is one) and structured
``errors``. What only one command has (scores and root causes for ``check``; the repository's objects for
``scan``) sits next to them. The JSON Schemas are generated from these models
(``python -m homelabctl.report.envelope`` writes ``report/schemas/``; a test fails when they are stale),
kept in ``envelope_model.py``; this module builds the same reports as plain dicts.
The v1 reports (``homelabctl.report/v1``, ``homelabctl.scan/v1``) are still produced with ``--schema v1``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from homelabctl import __version__

SCHEMA_ID: Literal["homelabctl.report/v2"] = "homelabctl.report/v2"
SCHEMA_FILES = {"check": "check-report.v2.schema.json", "scan": "scan-report.v2.schema.json"}


def _finding(data: Mapping[str, Any], fid: str) -> dict[str, Any]:
    obj = data["object"]
    return {
        "id": fid,
        "check": data["check"],
        "layer": data["layer"],
        "severity": data["severity"],
        "object": {"kind": obj["kind"], "namespace": obj.get("namespace"), "name": obj["name"]},
        "message": data["message"],
        "evidence": list(data["evidence"]),
        "hint": data["hint"],
        "file": data.get("file"),
        "line": data.get("line"),
        "root_cause": data.get("root_cause"),
        "fingerprint": data.get("fingerprint"),
    }


def _evaluation(entry: Mapping[str, Any], *, missing: bool = False) -> dict[str, Any]:
    out = {"check": entry["check"], "layer": entry["layer"], "reason": entry["reason"]}
    if missing:
        out["missing"] = list(entry["missing"])
    return out


def check_v2(
    report: Mapping[str, Any], errors: Iterable[Any], *, manifest_objects: int = 0
) -> dict[str, Any]:
    """The v2 check report from the v1 one (after filtering) and the run's ``LoadError`` records."""
    error_list = [{"location": str(e.location), "line": e.line, "message": str(e.message)} for e in errors]
    summary = report["summary"]
    source = report["source"]
    return {
        "schema": SCHEMA_ID,
        "command": "check",
        "generated_at": report["generated_at"],
        "tool": {"name": "homelabctl", "version": report["tool"]["version"]},
        "source": {
            "type": source["type"],
            "name": source["name"],
            "server_version": source.get("server_version"),
            "reference_time": report["reference_time"],
        },
        "summary": {
            "critical": summary["critical"],
            "warning": summary["warning"],
            "info": summary["info"],
            "findings": summary["findings"],
            "run": summary["checks_run"],
            "errors": len(error_list),
            "ignored": summary.get("ignored", 0),
            "passed": summary["checks_passed"],
            "not_evaluated": summary["not_evaluated"],
            "partially_evaluated": summary.get("partially_evaluated", 0),
            "root_causes": summary["root_causes"],
            "objects": summary["objects"],
            "manifest_objects": manifest_objects,
        },
        "findings": [_finding(f, f["id"]) for f in report["findings"]],
        "errors": error_list,
        "scores": {k: {"score": v["score"], "detail": v["detail"]} for k, v in report["scores"].items()},
        "root_causes": list(report["root_causes"]),
        "not_evaluated": [_evaluation(n) for n in report["not_evaluated"]],
        "partially_evaluated": [_evaluation(n, missing=True) for n in report.get("partially_evaluated", [])],
        "passed": list(report["passed"]),
        "nodes": [
            {
                "name": n["name"],
                "status": n["status"],
                "roles": list(n["roles"]),
                "version": n["version"],
                "issues": list(n["issues"]),
            }
            for n in report["nodes"]
        ],
    }


def scan_v2(report: Mapping[str, Any]) -> dict[str, Any]:
    """The v2 scan report from the ``homelabctl.scan/v1`` one (``scan.render.to_json``)."""
    summary = report["summary"]
    repo = report["repo"]
    return {
        "schema": SCHEMA_ID,
        "command": "scan",
        "generated_at": report["generated_at"],
        "tool": {"name": "homelabctl", "version": __version__},
        "source": {
            "type": "repo",
            "name": repo["path"],
            "git": repo["git"],
            "kube_version": repo["kube_version"],
            "history": repo["history"],
        },
        "summary": {
            "critical": summary["critical"],
            "warning": summary["warning"],
            "info": summary["info"],
            "findings": len(report["findings"]),
            "run": summary["rules"],
            "errors": summary["errors"],
            "files": summary["files"],
            "documents": summary["documents"],
            "objects": summary["objects"],
            "kustomizations": summary["kustomizations"],
            "helm_releases": summary["helm_releases"],
            "ignored": summary["ignored"],
            "baselined": summary.get("baselined", 0),
            "seconds": summary["seconds"],
        },
        "findings": [_finding(f, f"F{i}") for i, f in enumerate(report["findings"], start=1)],
        "errors": [
            {"location": e["file"], "line": e["line"], "message": e["message"]} for e in report["errors"]
        ],
        "objects": report.get("objects"),
    }


def schema_text(command: Literal["check", "scan"]) -> str:
    from homelabctl.report.envelope_model import json_schema

    return json.dumps(json_schema(command), indent=2, sort_keys=True) + "\n"


def shipped_schema(command: Literal["check", "scan"]) -> dict[str, Any]:
    from importlib.resources import files  # here: importlib.resources (and tempfile) cost every run ~5 ms

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
