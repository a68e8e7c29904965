"""Rendered reports are snapshot-tested (syrupy): any change to their text shows up in review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from syrupy.assertion import SnapshotAssertion

from homelabctl.analysis import analyze
from homelabctl.model import Severity
from homelabctl.report.build import validate_report
from homelabctl.report.filters import exit_code_for, filter_report
from homelabctl.report.render_diagnose import render_diagnose_markdown, render_diagnose_tree
from homelabctl.report.render_junit import render_junit
from homelabctl.report.render_markdown import render_markdown
from homelabctl.report.render_table import render_table

from factories import container_status, deployment, node, pod, state


@pytest.fixture
def report() -> dict[str, Any]:
    dep = deployment("oauth2-proxy", "monitoring", ready=0)
    objs = [
        node("k3s-master1", control_plane=True),
        node("k3s2"),
        node("styx", ready="Unknown", since=timedelta(days=3, hours=4)),
        dep,
        pod(
            "oauth2-proxy-6d8f9-abcde",
            "monitoring",
            node_name="k3s2",
            owner=dep,
            statuses=[
                container_status(
                    "oauth2-proxy",
                    "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1",
                    state="waiting",
                    reason="CrashLoopBackOff",
                    ready=False,
                    restarts=17,
                    last_terminated={
                        "message": "cookie_secret must be 16, 24, or 32 bytes to "
                        "create an AES cipher, but is 167 bytes"
                    },
                )
            ],
        ),
        pod("web-1", "apps", node_name="styx", deletion=timedelta(days=2)),
    ]
    data = analyze(state(objs)).report
    data["generated_at"] = "2025-06-16T03:00:00Z"
    validate_report(data)
    return data


def test_junit(report: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    assert render_junit(report) == snapshot


def test_markdown_audit(report: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    assert render_markdown(report) == snapshot


def test_table(report: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    console = Console(record=True, width=120, color_system=None, force_terminal=False)
    render_table(report, console)
    assert console.export_text() == snapshot


def test_diagnose_outputs(report: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    console = Console(record=True, width=120, color_system=None, force_terminal=False)
    render_diagnose_tree(report, console)
    assert console.export_text() == snapshot
    assert render_diagnose_markdown(report) == snapshot


def test_filters_and_exit_codes(report: dict[str, Any]) -> None:
    assert exit_code_for(report, Severity.CRITICAL) == 1
    assert exit_code_for(report, None) == 0
    node_only = filter_report(report, ["node"])
    assert {f["layer"] for f in node_only["findings"]} == {"node"}
    validate_report(node_only)
    info_up = filter_report(report, min_severity=Severity.CRITICAL)
    assert {f["severity"] for f in info_up["findings"]} == {"critical"}


def test_layer_filter_keeps_the_cause_of_what_it_shows() -> None:
    from homelabctl.analysis import analyze as run_analysis
    from homelabctl.sources.snapshot import demo_source

    report = run_analysis(demo_source().load()).report
    node_only = filter_report(report, ["node"])
    validate_report(node_only)
    ids = {f["id"] for f in node_only["findings"]}
    for finding in node_only["findings"]:
        assert finding["root_cause"] is None or finding["root_cause"] in ids
    network_causes = [f for f in node_only["findings"] if f["layer"] == "network"]
    assert network_causes, "the k3s1 network cause of node findings was filtered out"
    assert node_only["root_causes"][0]["object"]["name"] == "k3s1"
