"""node-refuses-runtime-class: the node whose runtime lacks a handler explains the pods it refused (and their
workloads), not the other pods it runs."""

from __future__ import annotations

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.node_refuses_runtime_class import node_refuses_runtime_class
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import node, state
from factories_apps import CILIUM_RANGE_FULL, crashlooping_app, sandbox_stuck_pods

CONTAINERD = (
    "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: "
    'no runtime for "nvidia" is configured'
)


def test_the_node_is_the_cause_of_the_pods_its_runtime_refused() -> None:
    objs = [
        node("k3s1"),
        node("k3s3"),
        *sandbox_stuck_pods("ollama", "k3s3", CONTAINERD),
        *sandbox_stuck_pods("faster-whisper", "k3s3", CONTAINERD),
        *crashlooping_app("immich", "k3s3"),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s3"}
    assert top["rule"] == "node-refuses-runtime-class"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {"ollama", "faster-whisper"} <= symptoms
    assert "immich" not in symptoms  # on the same node, but its own words name no runtime handler


def test_the_rule_explains_nothing_on_a_node_without_refused_pods() -> None:
    st = state([node("k3s2"), *sandbox_stuck_pods("sonarr", "k3s2", CILIUM_RANGE_FULL)])
    finding = Finding(
        "node-runtime-handler-missing", Layer.NODE, Severity.CRITICAL, ObjectRef("Node", None, "k3s2"), "x"
    )
    assert node_refuses_runtime_class(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
