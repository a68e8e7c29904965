from __future__ import annotations

from datetime import timedelta

from factories import node, pod, ts
from helpers import findings, run_one


def _taint(key: str, effect: str, age: timedelta | None) -> dict[str, str]:
    taint = {"key": key, "effect": effect}
    if age is not None:
        taint["timeAdded"] = ts(age)
    return taint


def test_fires_on_ready_node_still_tainted_unreachable() -> None:
    k3s1 = node(
        "k3s1",
        since=timedelta(hours=6),
        taints=[_taint("node.kubernetes.io/unreachable", "NoExecute", timedelta(hours=7))],
    )
    found = findings("node-unreachable-taint", [k3s1])
    assert [f.object.name for f in found] == ["k3s1"]
    f = found[0]
    assert (
        f.message
        == "Node k3s1 is Ready (Ready for 6h) but still carries node.kubernetes.io/unreachable:NoExecute"
    )
    assert any("timeAdded=" in e and "(7h ago)" in e for e in f.evidence)
    assert "kubectl taint node k3s1 node.kubernetes.io/unreachable:NoExecute-" in f.hint


def test_fires_on_dead_node_with_old_noexecute_taint_and_terminating_pods() -> None:
    styx = node(
        "styx",
        ready="Unknown",
        since=timedelta(days=3),
        taints=[
            _taint("node.kubernetes.io/unreachable", "NoSchedule", None),
            _taint("node.kubernetes.io/unreachable", "NoExecute", timedelta(days=3)),
        ],
    )
    pods = [
        pod(f"label-studio-{i}", "apps", node_name="styx", deletion=timedelta(days=2, hours=23))
        for i in range(3)
    ] + [pod("cilium-8x2kq", "kube-system", node_name="styx")]
    found = findings("node-unreachable-taint", [styx, *pods])
    assert [f.object.name for f in found] == ["styx"]
    f = found[0]
    assert "node.kubernetes.io/unreachable:NoExecute for 3d" in f.message
    assert "4 pod(s) still bound to the node, 3 of them Terminating" in " ".join(f.evidence)
    assert "kubectl delete node styx" in f.hint


def test_silent_right_after_recovery_and_on_fresh_taints() -> None:
    recovering = node(
        "k3s1",
        since=timedelta(minutes=1),
        taints=[_taint("node.kubernetes.io/not-ready", "NoExecute", timedelta(minutes=9))],
    )
    just_down = node(
        "k3s2",
        ready="False",
        since=timedelta(minutes=10),
        taints=[_taint("node.kubernetes.io/not-ready", "NoExecute", timedelta(minutes=10))],
    )
    assert findings("node-unreachable-taint", [recovering, just_down, node("k3s3")]) == []


def test_ignores_other_taints() -> None:
    master = node(
        "k3s-master1",
        control_plane=True,
        taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
    )
    assert findings("node-unreachable-taint", [master]) == []


def test_not_evaluated_without_nodes() -> None:
    assert run_one("node-unreachable-taint", []).status == "not_evaluated"
