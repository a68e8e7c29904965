"""PodDisruptionBudgets (policy/v1): what a budget allows now, and whether it can ever allow an eviction; and
the pods that drain a node (``kubectl drain NODE`` in their command)."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s._raw import Obj, integer, mapping, section, text
from homelabctl.k8s.kubectl import pod_is_finished, pod_node
from homelabctl.k8s.meta import owner_refs
from homelabctl.k8s.nodes import unschedulable
from homelabctl.k8s.pods import containers, pod_spec
from homelabctl.model import Resource
from homelabctl.selectors import Selector, from_spec
from homelabctl.sources.index import ClusterIndex


class Budget(msgspec.Struct, frozen=True):
    selector: Selector | None
    """None: the budget selects nothing (an empty or missing selector in policy/v1 selects no pod)."""
    rule: str
    """``minAvailable: 1`` or ``maxUnavailable: 0`` as written."""
    disruptions_allowed: int
    current_healthy: int
    desired_healthy: int
    expected_pods: int

    @property
    def never_allows(self) -> bool:
        """Every expected pod healthy and still no disruption allowed: the budget blocks every voluntary
        eviction for good (minAvailable equal to the replicas, or maxUnavailable 0), not only while a pod is
        down."""
        return (
            self.expected_pods > 0
            and self.disruptions_allowed == 0
            and self.current_healthy >= self.expected_pods
            and self.desired_healthy >= self.expected_pods
        )


def budget(pdb: Obj) -> Budget:
    spec, status = section(pdb, "spec"), section(pdb, "status")
    rule = next(
        (f"{key}: {text(spec.get(key))}" for key in ("minAvailable", "maxUnavailable") if key in spec), ""
    )
    selector = mapping(spec.get("selector"))
    return Budget(
        from_spec(selector) if selector else None,
        rule,
        integer(status.get("disruptionsAllowed")),
        integer(status.get("currentHealthy")),
        integer(status.get("desiredHealthy")),
        integer(status.get("expectedPods")),
    )


MANAGED_BY_LABELS = ("longhorn.io/managed-by",)
"""Labels of operators that create budgets on purpose and remove them when a drain is safe (Longhorn guards the
last replica of a volume on its instance-manager pods this way)."""


def managed_by(pdb: Obj) -> str:
    """Who keeps this budget, when a controller does (its owner, or an operator's label); empty when a person
    or a chart wrote it."""
    for ref in owner_refs(pdb):
        return f"{ref.kind} {ref.name}"
    labels = mapping(section(pdb, "metadata").get("labels"))
    for key in MANAGED_BY_LABELS:
        if text(labels.get(key)):
            return f"{text(labels.get(key))} ({key})"
    return ""


def drained_node(pod: Obj) -> str:
    """The node a pod's container drains (``kubectl drain NODE ...``, as the system-upgrade-controller and
    drain jobs run it); empty when none does."""
    for container in containers(pod_spec(pod)):
        words = [w for w in (*container.command, *container.args) if not w.startswith("-")]
        if "drain" in words:
            after = words[words.index("drain") + 1 :]
            if after and after[0] not in ("kubectl",):
                return after[0]
    return ""


class Blocked(msgspec.Struct, frozen=True):
    """A budget that never allows an eviction, the pods it guards, and the drains they hold up."""

    budget: Budget
    pods: tuple[Resource, ...]
    cordoned: tuple[str, ...]
    """Cordoned nodes (``spec.unschedulable``) where one of its pods still runs: their drain cannot finish."""
    drainers: tuple[Resource, ...]
    """Pods draining one of those nodes (``kubectl drain NODE``)."""


def blocked(index: ClusterIndex, pdb: Resource) -> Blocked | None:
    """What a budget that can never allow an eviction holds up; None when it allows them (or selects nothing)."""
    info = budget(pdb)
    if not info.never_allows or info.selector is None:
        return None
    pods = tuple(
        p for p in index.select(kinds.POD, pdb.namespace, info.selector) if not pod_is_finished(p) and p.name
    )
    cordoned = tuple(
        sorted(
            {
                node
                for p in pods
                if (node := pod_node(p))
                and (n := index.get(kinds.NODE, None, node)) is not None
                and unschedulable(n)
            }
        )
    )
    drainers = tuple(p for p in index.all(kinds.POD) if drained_node(p) in cordoned) if cordoned else ()
    return Blocked(info, pods, cordoned, drainers)
