"""node-local-exhaustion: the node whose limit several workloads hit is their cause; its healthy pods and
the same workloads elsewhere are not its symptoms."""

from __future__ import annotations

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.node_local_exhaustion import node_local_exhaustion
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import node, state
from factories_apps import CILIUM_RANGE_FULL, sandbox_stuck_pods


def test_the_node_is_the_cause_of_the_workloads_that_get_no_ip() -> None:
    objs = [
        node("k3s1"),
        node("k3s2"),
        *sandbox_stuck_pods("sonarr", "k3s2", CILIUM_RANGE_FULL),
        *sandbox_stuck_pods("radarr", "k3s2", CILIUM_RANGE_FULL),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s2"}
    assert top["rule"] == "node-local-exhaustion"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {"sonarr", "radarr"} <= symptoms


def test_the_rule_explains_nothing_on_a_node_without_exhausted_pods() -> None:
    st = state([node("k3s2"), *sandbox_stuck_pods("sonarr", "k3s2", CILIUM_RANGE_FULL)])
    finding = Finding(
        "node-pod-ips-exhausted", Layer.NETWORK, Severity.CRITICAL, ObjectRef("Node", None, "k3s2"), "x"
    )
    assert node_local_exhaustion(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
