"""What a cause rule sees: the findings, the lazy dependency graph, and the propagation along its edges."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet

import msgspec

from homelabctl import kinds
from homelabctl.diagnose.graph import (
    ALL_EDGES,
    HOLDS,
    MENTIONS,
    OWNS,
    REGISTERS,
    RUNS_ON,
    SELECTS,
    DependencyGraph,
)
from homelabctl.diagnose.model import NextStep
from homelabctl.kube import pod_is_finished, pod_is_ready, pods_of
from homelabctl.model import Finding, Layer, ObjectRef, Resource
from homelabctl.sources.base import ClusterState

GENERIC_EDGES = ALL_EDGES - {HOLDS, REGISTERS}
"""Every dependency but the two only a dead node makes real (a volume it keeps attached, its registrations)."""

_ONE_EDGE: dict[str, frozenset[str]] = {}
"""{edge} for each edge name (the graph's own few): what ``propagate`` records for most objects it reaches."""


def _one_edge(edge: str) -> frozenset[str]:
    found = _ONE_EDGE.get(edge)
    if found is None:
        found = _ONE_EDGE[edge] = frozenset((edge,))
    return found


_WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job", "CronJob"})

NODE_FAILURE_CHECKS = frozenset(
    {
        "node-not-ready",
        "node-network-unavailable",
        "cni-agent-not-ready",
        "node-pressure",
        "node-unreachable-taint",
    }
)
"""Node findings that mean the node itself fails its pods; others (a CSI registration, a version skew) do not."""

FOLLOWS_QUORUM = frozenset({OWNS, SELECTS})
"""Edges from many members to one aggregate: the aggregate is explained only if all its failing members are."""


class Explanation(msgspec.Struct):
    """A rule's reading of one candidate cause: what it reaches, what to say, and what to do."""

    impacted: set[ObjectRef]
    summary: str
    evidence: list[str] = msgspec.field(default_factory=list)
    next_steps: list[NextStep] = msgspec.field(default_factory=list)
    confidence: str = "high"
    accepts: Callable[[Finding], bool] | None = None
    """Optional filter: which findings on impacted objects count as symptoms."""
    object: ObjectRef | None = None
    """The object to fix, when it is not the cause finding's own (a crashing pod's Deployment)."""
    layer: Layer | None = None
    """The layer of the object to fix, when it is not the cause finding's (a node's network behind app timeouts)."""
    restarted_by: frozenset[ObjectRef] = frozenset()
    """Pods whose own last termination quotes the cause: their restart findings (never symptoms otherwise, past
    restarts being no current failure) are this cause's symptoms."""


class RuleContext:
    def __init__(self, state: ClusterState, graph: DependencyGraph, findings: Sequence[Finding]) -> None:
        self.state = state
        self.index = state.index
        self.graph = graph
        self.findings = findings
        self.by_object: dict[ObjectRef, list[Finding]] = {}
        self.by_check: dict[str, list[Finding]] = {}
        for finding in findings:
            self.by_object.setdefault(finding.object, []).append(finding)
            self.by_check.setdefault(finding.check, []).append(finding)
        self._failing: dict[ObjectRef, bool] = {}
        self._reach: dict[Finding, set[ObjectRef]] = {}
        self._start: dict[Finding, set[ObjectRef]] = {}
        self._quorum_members: dict[tuple[ObjectRef, tuple[str, ...]], AbstractSet[ObjectRef]] = {}
        self.via: dict[Finding, dict[ObjectRef, frozenset[str]]] = {}
        """For each reach: the edge types by which each object was reached (what kind of failure got there)."""
        self.agent_nodes: dict[ObjectRef, str] = {}
        """Ready nodes whose own network agent fails while the other nodes' agents run: node → the evidence.
        The node's failure is the agent's consequence, so the node does not explain its pods."""
        self.node_suspects: dict[ObjectRef, tuple[set[ObjectRef], list[str]]] = {}
        """Ready nodes where several workloads time out towards other nodes while elsewhere nothing does:
        node → (the failing pods there, the evidence)."""

    def failing(self, ref: ObjectRef) -> bool:
        """Has a finding, or is a pod that is not ready (a DaemonSet's pod on a dead node has no finding
        of its own, yet it is why the DaemonSet is short)."""
        if ref in self.by_object:
            return True
        if ref.kind != "Pod":
            return False
        known = self._failing.get(ref)
        if known is None:
            pod = self.index.get(kinds.POD, ref.namespace, ref.name)
            known = pod is not None and not pod_is_ready(pod) and not pod_is_finished(pod)
            self._failing[ref] = known
        return known

    def propagate(
        self,
        start: Iterable[ObjectRef],
        edges: Iterable[str],
        via: dict[ObjectRef, frozenset[str]] | None = None,
    ) -> set[ObjectRef]:
        """Close ``start`` over ``edges``. Aggregates (owners, Services) join only when every member of
        theirs that has a finding is already in the set: one crashing replica out of three on a healthy
        node is not explained by another node's failure."""
        allowed = frozenset(edges)
        quorum = tuple(sorted(FOLLOWS_QUORUM & allowed))
        impacted = set(start)
        frontier = list(impacted)
        deferred: set[ObjectRef] = set()
        while frontier or deferred:
            progressed = False
            while frontier:
                current = frontier.pop()
                for edge, targets in self.graph.out_edges(current).items():
                    if edge not in allowed:
                        continue
                    for target in targets:
                        if via is not None:
                            # shared sets of edge names: most objects are reached along one edge
                            reached = via.get(target)
                            if reached is None:
                                via[target] = _ONE_EDGE.get(edge) or _one_edge(edge)
                            elif edge not in reached:
                                via[target] = reached | {edge}
                        if target in impacted:
                            continue
                        if edge in FOLLOWS_QUORUM:
                            deferred.add(target)
                            continue
                        impacted.add(target)
                        progressed = True
                        if not (edge == MENTIONS and target.kind == "Node"):
                            # a message naming a node makes that node's finding a symptom, not all its pods
                            frontier.append(target)
            for target in list(deferred):  # the fixpoint does not depend on the order
                members = self._members(target, quorum)
                failing_members = {m for m in members if m in impacted or self.failing(m)}
                if failing_members and failing_members <= impacted:
                    impacted.add(target)
                    frontier.append(target)
                    progressed = True
            deferred -= impacted
            if not progressed:
                break
        return impacted

    def _members(self, aggregate: ObjectRef, edges: tuple[str, ...]) -> AbstractSet[ObjectRef]:
        """The members of an aggregate along ``edges`` (the graph never changes what they are)."""
        key = (aggregate, edges)
        found = self._quorum_members.get(key)
        if found is None:
            along = [members for e in edges if (members := self.graph.members(aggregate, e))]
            # an aggregate is one along one edge (a controller owns, a Service selects): the graph's own set
            found = along[0] if len(along) == 1 else {m for members in along for m in members}
            self._quorum_members[key] = found
        return found

    def resource(self, ref: ObjectRef) -> Resource | None:
        return self.graph.resource(ref)

    def workload_start(self, ref: ObjectRef) -> set[ObjectRef]:
        """A failing pod stands for its whole controller: its sibling pods and the controller itself."""
        start = {ref}
        res = self.resource(ref)
        if res is None:
            return start
        top = self.index.top_owner(res)
        start.add(top.ref)
        start.update(p.ref for p in pods_of(self.index, top))
        if res.kind != "Pod":
            start.update(p.ref for p in pods_of(self.index, res))
        return start

    def fix_target(self, ref: ObjectRef) -> ObjectRef:
        """The object an operator changes for a failure on ``ref``: a pod's top-level controller."""
        res = self.resource(ref)
        if res is None or res.kind not in ("Pod", "ReplicaSet", "Job"):
            return ref
        return self.index.top_owner(res).ref

    def start(self, cause: Finding) -> set[ObjectRef]:
        """Where a finding's failure starts: a workload's object stands for the whole workload. Read once per
        finding (its reach, its candidate and its symptoms ask): the set is shared, callers do not change it."""
        found = self._start.get(cause)
        if found is None:
            found = self._start[cause] = (
                self.workload_start(cause.object) if cause.object.kind in _WORKLOAD_KINDS else {cause.object}
            )
        return found

    def reach(self, cause: Finding) -> set[ObjectRef]:
        """What the failure behind ``cause`` reaches along every generic edge (computed once per finding)."""
        found = self._reach.get(cause)
        if found is None:
            edges = GENERIC_EDGES
            if cause.object.kind == "Node" and (
                cause.check not in NODE_FAILURE_CHECKS or cause.object in self.agent_nodes
            ):
                edges = GENERIC_EDGES - {RUNS_ON}
            via: dict[ObjectRef, frozenset[str]] = {}
            found = self.propagate(self.start(cause), edges, via)
            self._reach[cause] = found
            self.via[cause] = via
        return found
