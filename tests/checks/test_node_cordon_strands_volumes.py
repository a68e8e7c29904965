"""node-cordon-strands-volumes: a cordoned node holding the pinned local volume of a pod that can be scheduled
nowhere else (https://github.com/kubernetes/kubernetes/issues/108096: "node(s) were unschedulable" with "volume
node affinity conflict")."""

from __future__ import annotations

from checks.helpers import findings

from factories import node
from factories_apps import pinned_volume_app


def test_fires_on_the_cordoned_node_the_pending_pods_volume_is_pinned_to() -> None:
    objs = [node("k3s1"), node("k3s3", unschedulable=True), *pinned_volume_app("home-assistant", "k3s3")]
    [finding] = findings("node-cordon-strands-volumes", objs)
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s3")
    assert finding.severity.value == "critical" and finding.layer.value == "node"
    assert "1 pending pod(s)" in finding.message
    assert any("claim home-assistant-config" in e and "pinned to k3s3" in e for e in finding.evidence)
    assert "kubectl uncordon k3s3" in finding.hint


def test_silent_when_the_volume_is_pinned_to_a_schedulable_node() -> None:
    objs = [node("k3s1"), node("k3s3", unschedulable=True), *pinned_volume_app("home-assistant", "k3s1")]
    assert findings("node-cordon-strands-volumes", objs) == []


def test_silent_when_the_scheduler_gives_another_reason() -> None:
    other = "0/4 nodes are available: 1 node(s) were unschedulable, 3 Insufficient memory."
    objs = [node("k3s3", unschedulable=True), *pinned_volume_app("home-assistant", "k3s3", other)]
    assert findings("node-cordon-strands-volumes", objs) == []


def test_silent_once_the_node_is_uncordoned() -> None:
    objs = [node("k3s1"), node("k3s3"), *pinned_volume_app("home-assistant", "k3s3")]
    assert findings("node-cordon-strands-volumes", objs) == []
