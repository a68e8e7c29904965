"""Odd but possible objects must never crash the pipeline: a check that fails is reported, the rest goes
on, and the renderers print any text a cluster can hold (rich markup included) as text."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from homelabctl.analysis import analyze
from homelabctl.cli import cli
from homelabctl.model import Resource
from homelabctl.redact import redact_object
from homelabctl.report.build import validate_report
from homelabctl.report.render_diagnose import render_diagnose_tree
from homelabctl.report.render_markdown import render_markdown
from homelabctl.report.render_table import render_table
from homelabctl.sources.base import ClusterState, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.sources.snapshot import demo_snapshot_path

DEMO = [
    obj
    for path in sorted(demo_snapshot_path().glob("*.yaml"))
    for doc in yaml.safe_load_all(path.read_text())
    if doc
    for obj in doc.get("items", [doc])
]
# what partial or hand-edited objects really hold: missing, null, empty, and text that looks like markup;
# and values of the wrong type ("zzz" for replicas, a list where a map belongs, a number for a name...).
ODD_VALUES = [None, "", [], {}]
TYPE_CONFUSION = ["zzz", 7, -1, 3.5, True, ["x"], [7], {"a": 1}, "[red]x[/red]"]


def _state(objects: list[dict[str, Any]], *, admit: bool = True) -> ClusterState:
    """As the loaders build it: objects with a malformed field are set aside, each with an error
    (``admit=False``: every object goes in, for the readers' own tolerance)."""
    from homelabctl.sources.base import LoadError
    from homelabctl.sources.validate import malformed_field, malformed_message

    errors: list[LoadError] = []
    admitted = []
    for obj in objects:
        problem = malformed_field(obj) if admit else None
        if problem:
            errors.append(LoadError("mutated", malformed_message(obj, problem)))
        else:
            admitted.append(Resource.from_raw(redact_object(obj)))
    return ClusterState(index=ClusterIndex(admitted), source=SourceInfo("snapshot", "mutated"), errors=errors)


def _set_path(obj: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = obj
    for key in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            return
        node = node[key]
    if isinstance(node, dict):
        node[path[-1]] = value


FIELDS = [
    ["status"],
    ["spec"],
    ["status", "conditions"],
    ["status", "containerStatuses"],
    ["spec", "containers"],
    ["spec", "valuesFrom"],
    ["spec", "dependsOn"],
    ["spec", "parentRefs"],
    ["spec", "rules"],
    ["spec", "volumes"],
    ["metadata", "labels"],
    ["metadata", "ownerReferences"],
    ["spec", "nodeName"],
    ["involvedObject"],
    ["spec", "listeners"],
    ["status", "parents"],
    ["data"],
    ["spec", "selector"],
    ["spec", "replicas"],
    ["status", "readyReplicas"],
    ["status", "numberReady"],
    ["status", "phase"],
    ["metadata", "name"],
    ["metadata", "namespace"],
    ["metadata", "creationTimestamp"],
    ["count"],
    ["status", "capacity"],
    ["spec", "taints"],
    ["status", "failedIssuanceAttempts"],
    ["spec", "suspend"],
    ["status", "lastHandledReconcileAt"],
    ["spec", "interval"],
    ["spec", "template"],
    ["type"],
]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(DEMO) - 1),
            st.sampled_from(FIELDS),
            st.sampled_from(ODD_VALUES + TYPE_CONFUSION),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_mutated_demo_never_crashes_checks_diagnosis_or_renderers(
    mutations: list[tuple[int, list[str], Any]],
) -> None:
    objects = copy.deepcopy(DEMO)
    for index, path, value in mutations:
        _set_path(objects[index], path, copy.deepcopy(value))
    report = analyze(_state(objects)).report
    validate_report(report)
    crashed = [n for n in report["not_evaluated"] if n["reason"].startswith("check failed")]
    assert not crashed, crashed
    assert not [e for e in report["errors"] if e.startswith("diagnosis")], report["errors"]
    console = Console(record=True, width=100, color_system=None)
    render_table(report, console)
    render_diagnose_tree(report, console)
    render_markdown(report)


def test_markup_in_cluster_text_is_printed_as_text(tmp_path: Path) -> None:
    from factories import event, node, pod

    stuck = pod("web-1", node_name="k3s2", phase="Pending", statuses=[])
    objs = [
        node("k3s-master1", control_plane=True),
        node("k3s2"),
        stuck,
        event(
            stuck, "FailedMount", "MountVolume.MountDevice [/x] failed: unmounted volumes=[config]", count=9
        ),
    ]
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    for command in (["check"], ["diagnose"]):
        result = CliRunner().invoke(cli, [*command, "--snapshot", str(snap)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "unmounted volumes=[config]" in result.stdout.replace("\n", " ") or command == ["diagnose"]


def test_diagnosis_survives_string_lists_in_flux_specs() -> None:
    from factories import NOW

    hr = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "authentik", "namespace": "authentik", "uid": "hr-1"},
        "spec": {
            "valuesFrom": {"kind": "Secret", "name": "vals"},
            "dependsOn": ["infra"],
            "chart": {"spec": {"chart": "authentik", "sourceRef": "authentik"}},
        },
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "InstallFailed",
                    "message": "install retries exhausted",
                    "lastTransitionTime": "2025-06-15T00:00:00Z",
                }
            ]
        },
    }
    state = _state([hr], admit=False)  # the readers themselves tolerate it
    state.captured_at = NOW
    report = analyze(state).report
    assert not report["errors"]
    assert any(f["check"] == "flux-not-ready" for f in report["findings"])


def test_a_crashing_check_is_reported_and_the_run_goes_on() -> None:
    from homelabctl.checks.registry import REGISTRY, CheckSpec, all_checks
    from homelabctl.engine import run_checks
    from homelabctl.model import Layer, Severity

    def broken(ctx: Any) -> Any:
        """Always fails."""
        raise KeyError("boom")

    specs = [CheckSpec("test-broken", Layer.NODE, Severity.INFO, broken), *all_checks()]
    run = run_checks(_state(copy.deepcopy(DEMO)), specs)
    failed = next(r for r in run.results if r.spec.id == "test-broken")
    assert failed.status == "error" and "KeyError" in failed.reason
    assert "test-broken" not in REGISTRY
    assert len([r for r in run.results if r.status == "failed"]) > 10
