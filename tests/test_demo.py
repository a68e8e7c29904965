"""The embedded demo: what `homelabctl check --demo` promises on a laptop with no cluster."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from homelabctl.cli import cli
from homelabctl.report.build import validate_report


@pytest.fixture(scope="module")
def demo_report() -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["check", "--demo", "-o", "json", "--schema", "v1"])
    assert result.exit_code == 1, result.output  # the demo is broken on purpose
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_demo_validates_and_spans_at_least_seven_layers(demo_report: dict[str, Any]) -> None:
    validate_report(demo_report)
    layers = {f["layer"] for f in demo_report["findings"]}
    assert len(layers) >= 7, layers
    assert demo_report["source"]["type"] == "demo"
    assert demo_report["errors"] == []
    assert demo_report["scores"]["cluster_health"] == {"score": 75, "detail": "3/4 nodes Ready"}


def test_demo_incidents_are_root_causes_with_grouped_symptoms(demo_report: dict[str, Any]) -> None:
    causes = {(rc["object"]["kind"], rc["object"]["name"]): rc for rc in demo_report["root_causes"]}
    assert demo_report["root_causes"][0]["object"] == {"kind": "Node", "namespace": None, "name": "k3s1"}
    assert demo_report["root_causes"][0]["layer"] == "network"
    for key in [
        ("Node", "k3s1"),
        ("HelmRelease", "authentik"),
        ("Kustomization", "intel-gpu-plugin"),
        ("Deployment", "minio"),
        ("Deployment", "oauth2-proxy"),
        ("HTTPRoute", "prometheus"),
        ("Certificate", "wildcard-fletcherlabs"),
        ("Node", "k3s3"),
    ]:
        assert key in causes, f"{key} is not a root cause"
    by_id = {f["id"]: f for f in demo_report["findings"]}
    k3s1 = causes[("Node", "k3s1")]
    grouped = {by_id[s]["object"]["name"] for s in k3s1["symptoms"]}
    assert {"longhorn-csi-plugin-xq22m", "longhorn-manager-vt7w5", "sabnzbd-rrq4df8snw-9mtzr"} <= grouped
    minio = causes[("Deployment", "minio")]
    assert "default" in {by_id[s]["object"]["name"] for s in minio["symptoms"]}  # the BSL it breaks
    symptoms = [s for rc in demo_report["root_causes"] for s in rc["symptoms"]]
    assert len(symptoms) == len(set(symptoms))


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "prometheus"])
def test_no_secret_marker_ever_leaks(fmt: str) -> None:
    result = CliRunner().invoke(cli, ["check", "--demo", "-o", fmt])
    assert "HOMELABCTL_TEST_SECRET" not in result.output
    diagnose = CliRunner().invoke(cli, ["diagnose", "--demo", "-o", "json" if fmt == "json" else "markdown"])
    assert "HOMELABCTL_TEST_SECRET" not in diagnose.output
