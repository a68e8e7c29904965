"""The check command end to end: snapshot file in, report out, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from homelabctl.cli import cli
from homelabctl.report.build import validate_report

from factories import node, pod


def _write_snapshot(path: Path, *, broken: bool) -> Path:
    nodes = [
        node("k3s-master1", control_plane=True),
        node("k3s2"),
        node("k3s1", ready="Unknown" if broken else "True", since=timedelta(days=3)),
    ]
    items = [*nodes, pod("web-1", node_name="k3s2")]
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    return path


def test_json_report_validates_and_exit_code_1_on_critical(tmp_path: Path) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=True)
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snap), "-o", "json", "--schema", "v1"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    validate_report(report)
    assert report["scores"]["cluster_health"] == {"score": 67, "detail": "2/3 nodes Ready"}
    assert any(f["check"] == "node-not-ready" and f["object"]["name"] == "k3s1" for f in report["findings"])


def test_healthy_snapshot_exits_0(tmp_path: Path) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=False)
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snap), "-o", "json"])
    assert result.exit_code == 0, result.output
    assert not [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "critical"]


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_other_formats_render(tmp_path: Path, fmt: str) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=True)
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snap), "-o", fmt, "--output-file", str(out)])
    assert result.exit_code == 1
    text = out.read_text()
    assert "k3s1" in text
    if fmt == "markdown":
        assert "## 🔴 CRITICAL ISSUES" in text and "## 📊 Current State Summary" in text
        assert "Cluster Health: 67% (2/3 nodes Ready)" in text


def test_unreadable_snapshot_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [unterminated\n")
    proc = subprocess.run(
        [sys.executable, "-m", "homelabctl", "check", "--snapshot", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("homelabctl: error:")


def test_fail_on_never_and_min_severity(tmp_path: Path) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=True)
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snap), "-o", "json", "--fail-on", "never"])
    assert result.exit_code == 0
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snap), "-o", "json", "--layer", "storage"])
    assert json.loads(result.stdout)["findings"] == []


def test_diagnose_json_and_tree(tmp_path: Path) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=True)
    result = CliRunner().invoke(cli, ["diagnose", "--snapshot", str(snap), "-o", "json"])
    assert result.exit_code == 1, result.output  # a critical cause: like check, under the same --fail-on
    payload = json.loads(result.stdout)
    assert payload["root_causes"][0]["object"]["name"] == "k3s1"
    tree = CliRunner().invoke(cli, ["diagnose", "--snapshot", str(snap)])
    assert tree.stdout.splitlines()[3].startswith("1. ") and "k3s1" in tree.stdout


def test_rules_lists_checks_and_diagnosis_rules() -> None:
    result = CliRunner().invoke(cli, ["rules", "-o", "json"])
    rows = json.loads(result.stdout)
    types = {r["type"] for r in rows}
    assert {"check", "diagnosis"} <= types
    assert any(r["id"] == "node-not-ready" for r in rows)


def test_offline_commands_do_not_import_the_kubernetes_client(tmp_path: Path) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=False)
    code = (
        # the command leaves with os._exit once its output is flushed: a SystemExit here, to list the modules
        "import os, sys\ndef leave(code):\n    raise SystemExit(code)\nos._exit = leave\n"
        "from homelabctl.cli import main\n"
        f"try:\n    main(['check', '--snapshot', {str(snap)!r}, '-o', 'json'])\nexcept SystemExit:\n    pass\n"
        "assert 'kubernetes' not in sys.modules, 'kubernetes imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_prometheus_output_parses(tmp_path: Path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    snap = _write_snapshot(tmp_path / "snap.json", broken=True)
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snap), "-o", "prometheus"])
    families = {f.name: f for f in text_string_to_metric_families(result.stdout)}
    assert families["homelabctl_score"].samples
    cluster = [s for s in families["homelabctl_score"].samples if s.labels["area"] == "cluster_health"]
    assert cluster[0].value == 67
    failing = {s.labels["check"]: s.value for s in families["homelabctl_check_failing"].samples}
    assert failing["node-not-ready"] == 1


def test_junit_output_lists_every_check_as_a_test(tmp_path: Path) -> None:
    from xml.etree import ElementTree as ET

    snap = _write_snapshot(tmp_path / "snap.json", broken=True)
    out = tmp_path / "report.xml"
    result = CliRunner().invoke(
        cli, ["check", "--snapshot", str(snap), "-o", "junit", "--output-file", str(out)]
    )
    assert result.exit_code == 1 and result.stdout == ""
    suite = ET.parse(out).getroot()
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert suite.get("tests") == str(len(cases)) and int(suite.get("failures") or 0) >= 1
    failure = cases["node-not-ready"].find("failure")
    assert failure is not None and failure.get("type") == "critical" and "Node k3s1" in (failure.text or "")
    skipped = [case for case in cases.values() if case.find("skipped") is not None]
    assert suite.get("skipped") == str(len(skipped))


def test_min_severity_hides_but_does_not_change_the_exit_code(tmp_path: Path) -> None:
    snap = _write_snapshot(tmp_path / "snap.json", broken=False)
    base = ["check", "--snapshot", str(snap), "-o", "json", "--fail-on", "warning"]
    plain = CliRunner().invoke(cli, base)
    hidden = CliRunner().invoke(cli, [*base, "--min-severity", "critical"])
    assert plain.exit_code == hidden.exit_code == 1  # single control plane is a warning
    report = json.loads(hidden.stdout)
    assert report["summary"]["warning"] == 0 and report["summary"]["findings"] == len(report["findings"])
