"""A malformed value costs its own object's findings, never a check or the report."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from homelabctl.analysis import analyze
from homelabctl.checks.registry import CheckContext, CheckSpec
from homelabctl.engine import run_checks
from homelabctl.model import Layer, Severity
from homelabctl.sources.snapshot import SnapshotSource
from homelabctl.sources.validate import malformed_field

from factories import deployment, node, pod
from factories_platform import helm_release, kustomization


def test_a_deployment_with_replicas_zzz_costs_only_itself(tmp_path: Path) -> None:
    bad = deployment("web", replicas=2)
    bad["spec"]["replicas"] = "zzz"
    good = deployment("api", replicas=2, ready=0)
    (tmp_path / "snap.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": [node("k3s1"), bad, good, pod("api-1")]})
    )
    state = SnapshotSource([tmp_path]).load()
    assert state.index.get("Deployment.apps", "default", "web") is None
    assert state.index.get("Deployment.apps", "default", "api") is not None
    assert [str(e) for e in state.errors] == [
        f"{tmp_path / 'snap.json'}:1: Deployment default/web: spec.replicas: expected an integer, got 'zzz'; "
        "object skipped (its checks cannot read it)"
    ]
    report = analyze(state).report
    assert any(f["object"]["name"] == "api" for f in report["findings"])
    assert any("Deployment default/web: spec.replicas" in e for e in report["errors"])


def test_type_confusion_is_named_by_field() -> None:
    base = pod("p")
    cases: list[tuple[list[str], Any, str]] = [
        (["status", "containerStatuses"], {"a": 1}, "status.containerStatuses: expected a list"),
        (["status", "containerStatuses"], ["x"], "status.containerStatuses[0]: expected a map, got 'x'"),
        (["metadata", "labels"], ["a"], "metadata.labels: expected a map, got ['a']"),
        (["spec", "nodeName"], 7, "spec.nodeName: expected a string, got 7"),
        (["spec", "containers"], "zzz", "spec.containers: expected a list, got 'zzz'"),
    ]
    for path, value, expected in cases:
        obj = copy.deepcopy(base)
        obj[path[0]][path[1]] = value
        assert (malformed_field(obj) or "").startswith(expected), (path, malformed_field(obj))
    restarts = copy.deepcopy(base)
    restarts["status"]["containerStatuses"][0]["restartCount"] = "many"
    assert (
        malformed_field(restarts)
        == "status.containerStatuses[0].restartCount: expected an integer, got 'many'"
    )
    assert malformed_field(base) is None
    # custom resources name fields as they like: Longhorn's spec.nodeSelector is a list
    volume = {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Volume",
        "metadata": {"name": "v"},
        "spec": {"nodeSelector": ["ssd"], "replicas": "3"},
    }
    assert malformed_field(volume) is None


def test_flux_objects_are_checked_on_the_few_fields_every_reader_relies_on() -> None:
    """HelmReleases and Kustomizations answer without the path that names the field when they are fine, and
    name the same fields as before when they are not (owner references included, unlike built-in kinds)."""
    release = helm_release("app", "apps", values_from=[{"kind": "ConfigMap", "name": "app-values"}])
    flux = kustomization("apps", depends_on=["infra"])
    assert malformed_field(release) is None and malformed_field(flux) is None
    cases: list[tuple[dict[str, Any], list[str], Any, str]] = [
        (release, ["spec", "values"], ["a"], "spec.values: expected a map, got ['a']"),
        (release, ["spec", "valuesFrom"], [1], "spec.valuesFrom[0]: expected a map, got 1"),
        (release, ["spec", "chart"], "app", "spec.chart: expected a map, got 'app'"),
        (flux, ["spec", "dependsOn"], "infra", "spec.dependsOn: expected a list, got 'infra'"),
        (flux, ["spec", "postBuild"], [], "spec.postBuild: expected a map, got []"),
        (flux, ["metadata", "ownerReferences"], [1], "metadata.ownerReferences[0]: expected a map, got 1"),
        (release, ["metadata", "labels"], "x", "metadata.labels: expected a map, got 'x'"),
    ]
    for obj, path, value, expected in cases:
        broken = copy.deepcopy(obj)
        broken[path[0]][path[1]] = value
        assert malformed_field(broken) == expected, (path, malformed_field(broken))
    # their other fields are theirs to shape (spec.replicas of a custom resource is not the Deployment's)
    loose = copy.deepcopy(release)
    loose["spec"]["replicas"] = "three"
    assert malformed_field(loose) is None


def test_a_check_crashing_on_one_object_loses_only_that_objects_findings() -> None:
    state = SnapshotSource([Path(__file__).parents[1] / "live" / "data"]).load()
    victim = sorted(state.index.all("Pod"), key=lambda p: p.name)[0]

    def fragile(ctx: CheckContext) -> Any:
        """Reports every pod; chokes on one."""
        for res in ctx.index.all("Pod"):
            if res is victim:
                int(res.metadata.get("name"))
            yield ctx.finding(res, "seen")

    spec = CheckSpec("test-fragile", Layer.WORKLOAD, Severity.INFO, fragile, requires=("Pod",))
    (result,) = run_checks(state, [spec]).results
    assert result.status == "failed"
    assert len(result.findings) == len(state.index.all("Pod")) - 1
    (error,) = result.object_errors
    assert error.startswith(
        f"Pod {victim.namespace}/{victim.name}: malformed value at metadata.name (ValueError"
    )
    assert error.endswith("check test-fragile skipped this object")
