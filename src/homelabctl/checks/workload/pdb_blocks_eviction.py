from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import disruption
from homelabctl.model import Finding, Layer, Lifecycle, Severity

MAX_LISTED = 4


@check(
    "pdb-blocks-eviction",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.POD_DISRUPTION_BUDGET, kinds.POD],
    uses=[kinds.NODE],
    lifecycle=Lifecycle.PREVIEW,
)
def pdb_blocks_eviction(ctx: CheckContext) -> Iterator[Finding]:
    """PodDisruptionBudget that can never allow an eviction, holding up the drain of a cordoned node.

    Reads each budget's status: every expected pod healthy and still ``disruptionsAllowed: 0`` means the
    rule itself forbids any voluntary eviction (``minAvailable`` equal to the replicas, often 1 of 1, or
    ``maxUnavailable: 0``), not a pod that happens to be down. Fires when one of its pods runs on a cordoned
    node (``spec.unschedulable``), whose drain therefore cannot finish, and names the pods draining that node
    (``kubectl drain NODE``, as the system-upgrade-controller or kured run it). Such a budget on nodes nobody
    drains is not reported: operators keep some on purpose (Longhorn guards volumes this way), and the
    budget only matters once a drain starts. A budget an operator keeps is named as such, with its owner.

    Why it matters: ``kubectl drain`` and everything built on it (K3s upgrades through the
    system-upgrade-controller, kured reboots, node replacement) retry the eviction forever ("Cannot evict pod
    as it would violate the pod's disruption budget"): the node stays cordoned, the upgrade of the next
    nodes never starts, and nothing is failing that a dashboard would show.

    Next step: allow one disruption (``maxUnavailable: 1``, or more replicas than ``minAvailable``), or delete
    the budget for a single-replica app that can tolerate a restart; the drain then completes on its own.
    """
    for pdb in ctx.index.all(kinds.POD_DISRUPTION_BUDGET):
        held = disruption.blocked(ctx.index, pdb)
        if held is None or not held.cordoned:
            continue
        info = held.budget
        evidence = [
            f"{info.rule or 'no rule'}; status: disruptionsAllowed={info.disruptions_allowed}, "
            f"currentHealthy={info.current_healthy}, expectedPods={info.expected_pods}",
            "pods it guards: "
            + ", ".join(f"{p.namespace}/{p.name}" for p in held.pods[:MAX_LISTED])
            + (f" and {len(held.pods) - MAX_LISTED} more" if len(held.pods) > MAX_LISTED else ""),
        ]
        evidence.append(f"cordoned node(s) still running them: {', '.join(held.cordoned)}")
        for pod in held.drainers[:MAX_LISTED]:
            evidence.append(f"pod {pod.namespace}/{pod.name} drains {disruption.drained_node(pod)}")
        keeper = disruption.managed_by(pdb)
        if keeper:
            evidence.append(f"kept by {keeper}: its controller removes it when the drain is safe")
        yield ctx.finding(
            pdb,
            f"PodDisruptionBudget {pdb.namespace}/{pdb.name} blocks the drain of {', '.join(held.cordoned)}",
            evidence=evidence,
            hint=(
                f"See why {keeper} keeps the budget (Longhorn: its node drain policy and the volume's replicas) "
                f"before touching it: kubectl -n {pdb.namespace} get pdb {pdb.name} -o yaml"
                if keeper
                else f"Allow one disruption (maxUnavailable: 1) or remove the budget: kubectl -n {pdb.namespace} get "
                f"pdb {pdb.name} -o yaml"
            ),
        )
