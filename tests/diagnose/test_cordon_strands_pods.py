"""cordon-strands-pods: the cordoned node is the cause of the pod whose pinned volume it holds (and of its
workload), not of pods pending for other reasons."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import node, state
from factories_apps import pinned_volume_app


def _symptoms(report: dict[str, object], cause: dict[str, object]) -> set[tuple[str, str]]:
    findings = report["findings"]
    assert isinstance(findings, list) and isinstance(cause["symptoms"], list)
    return {(f["check"], f["object"]["name"]) for f in findings if f["id"] in cause["symptoms"]}


def test_the_cordoned_node_is_the_cause_of_the_stranded_workload() -> None:
    objs = [node("k3s1"), node("k3s3", unschedulable=True), *pinned_volume_app("home-assistant", "k3s3")]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s3"}
    assert top["rule"] == "cordon-strands-pods"
    held = _symptoms(report, top)
    assert ("workload-replicas-unavailable", "home-assistant") in held and ("node-cordoned", "k3s3") in held


def test_a_cordon_that_holds_no_volume_is_no_cause() -> None:
    other = "0/4 nodes are available: 1 node(s) were unschedulable, 3 Insufficient memory."
    objs = [
        node("k3s1"),
        node("k3s3", unschedulable=True),
        *pinned_volume_app("home-assistant", "k3s3", other),
    ]
    report = analyze(state(objs)).report
    assert all(rc["object"]["kind"] != "Node" for rc in report["root_causes"])
