"""pdb-blocks-eviction: a PodDisruptionBudget that can never allow an eviction, and the drain it holds up.

Status as the disruption controller writes it; the drain as the system-upgrade-controller runs it
(https://github.com/rancher/system-upgrade-controller/issues/78,
https://github.com/mysticaltech/terraform-hcloud-kube-hetzner/issues/1507).
"""

from __future__ import annotations

from checks.helpers import findings

from factories import node
from factories_platform import drain_job_pods, single_replica_with_budget


def test_critical_when_it_holds_up_the_drain_of_a_cordoned_node() -> None:
    objs = [
        node("k3s2", unschedulable=True),
        *single_replica_with_budget("paperless-ngx", "home", "k3s2"),
        *drain_job_pods("k3s2"),
    ]
    [finding] = findings("pdb-blocks-eviction", objs)
    assert (finding.object.kind, finding.object.name) == ("PodDisruptionBudget", "paperless-ngx")
    assert finding.severity.value == "critical" and finding.layer.value == "workload"
    assert "blocks the drain of k3s2" in finding.message
    assert (
        "minAvailable: 1; status: disruptionsAllowed=0, currentHealthy=1, expectedPods=1" in finding.evidence
    )
    assert "cordoned node(s) still running them: k3s2" in finding.evidence
    assert any(
        e.startswith("pod system-upgrade/apply-k3s-agent-on-k3s2") and e.endswith("drains k3s2")
        for e in finding.evidence
    )


def test_silent_while_no_node_running_its_pods_is_drained() -> None:
    assert (
        findings(
            "pdb-blocks-eviction",
            [node("k3s2"), *single_replica_with_budget("paperless-ngx", "home", "k3s2")],
        )
        == []
    )


def test_a_budget_an_operator_keeps_is_named_with_its_keeper() -> None:
    objs = [
        node("k3s2", unschedulable=True),
        *single_replica_with_budget("instance-manager-3f2a", "longhorn-system", "k3s2"),
    ]
    objs[-1]["metadata"]["labels"] = {"longhorn.io/managed-by": "longhorn-manager"}
    [finding] = findings("pdb-blocks-eviction", objs)
    assert (
        "kept by longhorn-manager (longhorn.io/managed-by): its controller removes it when the drain is safe"
        in finding.evidence
    )
    assert finding.hint.startswith("See why longhorn-manager (longhorn.io/managed-by) keeps the budget")


def test_silent_when_the_budget_allows_one_or_a_pod_is_merely_down() -> None:
    allows = single_replica_with_budget("immich", "home", "k3s1", replicas=2)
    down = single_replica_with_budget("mealie", "home", "k3s1", healthy=0)
    assert findings("pdb-blocks-eviction", [node("k3s1", unschedulable=True), *allows, *down]) == []
