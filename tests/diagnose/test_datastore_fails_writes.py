"""datastore-fails-writes: the control plane's datastore explains the controllers that quote etcd's errors,
their restarts included, on whatever node they run; not the pods that write in time."""

from __future__ import annotations

from datetime import timedelta

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.datastore_fails_writes import datastore_fails_writes
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import node, state
from factories_apps import datastore_timeout_cluster as cluster
from factories_apps import lease_losing_controller as controller


def test_the_control_plane_node_is_the_cause_of_the_controllers_losing_their_leases() -> None:
    quiet = controller(
        "helm-controller", "flux-system", "k3s2", "exit status 1: out of memory", ago=timedelta(minutes=9)
    )
    report = analyze(state([*cluster(), *quiet])).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s-master1"}
    assert top["rule"] == "datastore-fails-writes"
    symptoms = {(f["check"], f["object"]["name"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert ("pod-restarts", "kustomize-controller-7d9f8b6c5d-x2x9k") in symptoms
    assert ("pod-restarts", "cert-manager-7d9f8b6c5d-x2x9k") in symptoms
    assert not any(name.startswith("helm-controller") for _, name in symptoms)


def test_the_rule_explains_nothing_without_pods_quoting_the_datastore() -> None:
    st = state([node("k3s-master1", control_plane=True)])
    finding = Finding(
        "control-plane-datastore-slow",
        Layer.NODE,
        Severity.CRITICAL,
        ObjectRef("Node", None, "k3s-master1"),
        "x",
    )
    assert datastore_fails_writes(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
