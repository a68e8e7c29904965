"""The v2 report envelope: one vocabulary for check and scan, schemas generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from homelabctl.cli import cli
from homelabctl.report import envelope

REPOS = Path(__file__).parents[1] / "repos"
CORE = {"schema", "command", "generated_at", "tool", "source", "summary", "findings", "errors"}
FINDING_KEYS = {
    "id",
    "check",
    "layer",
    "severity",
    "object",
    "message",
    "evidence",
    "hint",
    "file",
    "line",
    "root_cause",
    "fingerprint",
}


def _run(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_check_and_scan_share_the_envelope(tmp_path: Path) -> None:
    check = _run("check", "--demo", "-o", "json")
    scan = _run("scan", str(REPOS / "leaky"), "-o", "json", "--no-render")
    jsonschema.validate(check, envelope.shipped_schema("check"))
    jsonschema.validate(scan, envelope.shipped_schema("scan"))
    for report, command in ((check, "check"), (scan, "scan")):
        assert report["schema"] == "homelabctl.report/v2" and report["command"] == command
        assert set(report) >= CORE
        assert {"critical", "warning", "info", "findings", "run", "errors"} <= set(report["summary"])
        assert report["findings"] and all(set(f) == FINDING_KEYS for f in report["findings"])
        assert [f["id"] for f in report["findings"]][:2] == ["F1", "F2"]
    assert all(f["file"] for f in scan["findings"]) and all(f["file"] is None for f in check["findings"])
    assert scan["source"]["type"] == "repo" and check["source"]["type"] == "demo"


def test_errors_are_structured_in_both(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "uid": "1"}})
    )
    (tmp_path / "bad.yaml").write_text("kind: [unclosed\n")
    check = _run("check", "--snapshot", str(tmp_path), "-o", "json")
    assert check["errors"] and all(set(e) == {"location", "line", "message"} for e in check["errors"])
    assert any(e["location"].endswith("bad.yaml") for e in check["errors"])
    assert check["summary"]["errors"] == len(check["errors"])
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "bad.yaml").write_text("kind: [unclosed\n")
    scan = _run("scan", str(repo), "-o", "json", "--no-render")
    assert scan["errors"] and all(set(e) == {"location", "line", "message"} for e in scan["errors"])


def test_v1_is_still_produced_behind_the_flag() -> None:
    check = _run("check", "--demo", "-o", "json", "--schema", "v1")
    scan = _run("scan", str(REPOS / "leaky"), "-o", "json", "--no-render", "--schema", "v1")
    assert check["schema"] == "homelabctl.report/v1" and "checks_run" in check["summary"]
    assert scan["schema"] == "homelabctl.scan/v1" and scan["findings"][0]["id"] == "S1"


def test_manifests_say_state_checks_were_skipped() -> None:
    report = _run("check", "--snapshot", str(REPOS / "seed-homelab"), "-o", "json")
    assert report["summary"]["manifest_objects"] == report["summary"]["objects"] > 0
    assert any("manifests never applied" in n["reason"] for n in report["not_evaluated"])
    assert not [f for f in report["findings"] if f["check"] == "workload-replicas-unavailable"]


def test_plain_builders_match_the_models_key_for_key() -> None:
    """The reports are built as plain dicts (no pydantic on the report path); the models define the format.
    Validating and dumping through the models must give back the very same JSON text, key order included."""
    from homelabctl.report.envelope_model import CheckReport, ScanReport

    check = _run("check", "--demo", "-o", "json")
    scan = _run("scan", str(REPOS / "leaky"), "-o", "json", "--no-render")
    for report, model in ((check, CheckReport), (scan, ScanReport)):
        dumped = model.model_validate(report).model_dump(mode="json", by_alias=True, exclude_none=False)
        assert json.dumps(dumped) == json.dumps(report)


def test_a_check_report_run_does_not_import_pydantic() -> None:
    import subprocess
    import sys

    code = (
        # the command leaves with os._exit once its output is flushed: a SystemExit here, to list the modules
        "import os, sys\ndef leave(code):\n    raise SystemExit(code)\nos._exit = leave\n"
        "from homelabctl.cli import main\ntry:\n    main(['check', '--demo', '-o', 'json'])\n"
        "except SystemExit:\n    pass\nprint('pydantic' in sys.modules, file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).parent,
    )
    assert out.stderr.strip().splitlines()[-1] == "False"
