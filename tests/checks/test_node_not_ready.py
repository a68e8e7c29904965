from __future__ import annotations

from datetime import timedelta

from factories import node, pod
from helpers import findings, run_one


def test_fires_on_unknown_node_with_duration_and_bound_pods() -> None:
    objs = [
        node("styx", ready="Unknown", since=timedelta(days=3, hours=2)),
        node("tethys"),
        pod("web-1", node_name="styx"),
    ]
    found = findings("node-not-ready", objs)
    assert [f.object.name for f in found] == ["styx"]
    assert "Unknown" in found[0].message and "3d2h" in found[0].message
    assert any("1 pod(s) still bound" in e for e in found[0].evidence)
    assert found[0].severity.value == "critical"


def test_silent_on_ready_nodes() -> None:
    assert findings("node-not-ready", [node("tethys"), node("calypso")]) == []


def test_not_evaluated_without_nodes() -> None:
    result = run_one("node-not-ready", [pod("web-1")])
    assert result.status == "not_evaluated"
    assert "Node" in result.reason
