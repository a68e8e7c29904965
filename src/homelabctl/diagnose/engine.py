"""Causal ranking: every failing object is a candidate cause; the roots are the most upstream ones.

1. Evidence links: the texts of failing objects become ``mentions`` edges (:mod:`.evidence`).
2. Every finding about something failing is a candidate. What it explains is what its failure reaches in
   the dependency graph (its controller, the Services its pods back, the routes behind them, the objects
   whose messages name it, ...); aggregates join only when all their failing members are explained.
   A cause rule that knows the finding's mechanism adds the sentence, the fix and, where the mechanism
   reaches further than the graph sees, extra objects; it does not decide the grouping.
3. Roots: a candidate explained by another candidate (that it does not explain back) comes after it; among
   the rest, specific mechanisms before generic propagation, lower layers first, wider reach first.
   Accepting a root claims its symptoms: each finding is grouped under one cause at most, and two
   unrelated incidents keep their own symptoms. Many identical failures behind one upstream object (one
   registry, one NFS server) are one cause because they share that upstream node.
4. Order shown: causes whose reach is only observability last (an exporter never outranks an app), then
   by severity, impact (user-facing, then data, then platform), layer and reach.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import msgspec
from msgspec.structs import replace

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.correlate import correlate
from homelabctl.diagnose.evidence import Readings, link_evidence
from homelabctl.diagnose.graph import MENTIONS, ROUTES, SELECTS, DependencyGraph
from homelabctl.diagnose.model import ChainLink, NextStep, RootCause
from homelabctl.diagnose.natures import NOT_FAILURES, never_symptoms, quotes_unread
from homelabctl.diagnose.registry import CAUSE_RULES, CauseRule, all_cause_rules
from homelabctl.diagnose.rules.failure_propagates import propagates
from homelabctl.gcutil import gc_paused
from homelabctl.k8s import pods as k8s_pods
from homelabctl.knowledge import serves
from homelabctl.model import Finding, ObjectRef, Severity
from homelabctl.sources.base import ClusterState

_BASE_SCORE = {0: 0.9, 1: 0.7, 2: 0.5}

RESTART_CHECKS = frozenset({"pod-restarts"}) & NOT_FAILURES.keys()
"""Findings of no failure a rule can still claim, for the pods it names (``Explanation.restarted_by``)."""
EXPLAINED_ONLY_VIA: dict[str, frozenset[str]] = {
    "route-backend-unavailable": frozenset({ROUTES, MENTIONS}),
    "service-no-ready-endpoints": frozenset({SELECTS, MENTIONS}),
}
"""Findings that only some edges can explain: a route whose backend has no endpoint is not caused by the
Gateway it attaches to (a bad listener certificate), only by what empties its backend Service."""
SAME_WORKLOAD = "same-workload"
"""Chain edge between the object to fix and its own pods/controller (the failure is one workload's)."""
MAX_CHAIN = 40
"""Chain links kept per root cause: enough to show every symptom's path in a large incident."""


_ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "Ingress", "Gateway"})
_WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet", "Job", "CronJob"})


class _Candidate(msgspec.Struct):
    spec: CauseRule
    cause: Finding
    explanation: Explanation
    start: set[ObjectRef]
    symptoms: list[Finding]
    upstream_of_it: bool = False

    @property
    def key(self) -> tuple[bool, int, bool, int, int, int, tuple[int, int, str, str, str, str]]:
        # among findings that explain each other (a pod, its controller), the one on the object to fix speaks
        names_target = self.explanation.object in (None, self.cause.object)
        return (
            self.upstream_of_it,
            self.spec.rank,
            not names_target,
            self.cause.layer.order,
            -len(self.symptoms),
            -self.cause.severity.rank,
            self.cause.sort_key,
        )


def _symptoms(
    ctx: RuleContext, cause: Finding, explanation: Explanation, impacted: set[ObjectRef]
) -> list[Finding]:
    found = []
    unfailing = never_symptoms()
    via = ctx.via.get(cause, {})
    start = ctx.start(cause)
    for ref in impacted | {cause.object}:
        for finding in ctx.by_object.get(ref, ()):
            if finding is cause or finding == cause:
                continue
            if finding.check in unfailing and not (
                finding.check in RESTART_CHECKS and ref in explanation.restarted_by
            ):
                continue
            if explanation.accepts is not None and not explanation.accepts(finding):
                continue
            needs = EXPLAINED_ONLY_VIA.get(finding.check)
            if needs is not None and ref in via and ref not in start and not via[ref] & needs:
                continue  # reached, but not along an edge that can cause this kind of failure
            found.append(finding)
    return sorted(found, key=lambda f: f.sort_key)


def _candidate(
    ctx: RuleContext, specs: Sequence[CauseRule], generic: CauseRule, cause: Finding
) -> _Candidate | None:
    explanation: Explanation | None = None
    chosen = generic
    for spec in specs:
        explanation = spec.func(ctx, cause)
        if explanation is not None:
            chosen = spec
            break
    start = ctx.start(cause)
    reach = ctx.reach(cause) if propagates(cause) else set()
    if explanation is None:
        if not propagates(cause):
            return None
        explanation = generic.func(ctx, cause)
        if explanation is None:
            return None
    explanation = _governed(ctx, cause, explanation, start)
    impacted = explanation.impacted | reach
    return _Candidate(chosen, cause, explanation, start, _symptoms(ctx, cause, explanation, impacted))


def _governed(
    ctx: RuleContext, cause: Finding, explanation: Explanation, start: set[ObjectRef]
) -> Explanation:
    """A failure imposed by an object that limits the workload. A ResourceQuota that refuses its pods is the
    object to change; a LimitRange whose default memory limit was injected into the container that OOMs is
    named with the fix, but the workload stays the cause (it runs without limits of its own: the fix is to
    give it explicit ones, not to loosen the namespace's default for everyone)."""
    if cause.object.kind not in _WORKLOAD_KINDS or explanation.object not in (
        None,
        ctx.fix_target(cause.object),
    ):
        return explanation
    memory = ctx.graph.sets_default_memory(cause.object.namespace) and _oom_killed(ctx, start)
    governors = ctx.graph.governors(start, memory=memory)
    if not governors:
        return explanation
    governor, why = governors[0]
    kind = governor.kind
    if kind == "LimitRange":
        target = explanation.object or cause.object
        step = NextStep(
            f"the memory limit is the default of LimitRange {governor.name}, not the workload's own: set "
            f"explicit resources on {target.kind} {target.name}",
            f"kubectl -n {governor.namespace} describe limitrange {governor.name}",
        )
        return replace(
            explanation, evidence=[*explanation.evidence, why], next_steps=[step, *explanation.next_steps]
        )
    summary = (
        f"{cause.message}; the limit comes from {kind} {governor.namespace}/{governor.name}, not from the "
        "workload's own spec"
    )
    step = NextStep(
        f"read {kind} {governor.name}: raise it, or lower what the workload asks for",
        f"kubectl -n {governor.namespace} describe {kind.lower()} {governor.name}",
    )
    return replace(
        explanation,
        summary=summary,
        evidence=[*explanation.evidence, why],
        next_steps=[step, *explanation.next_steps],
        object=governor,
    )


def _oom_killed(ctx: RuleContext, start: set[ObjectRef]) -> bool:
    """Was a container of the workload killed for memory (its own finding, or the kubelet's last state)?"""
    for ref in start:
        if any(f.check == "pod-oomkilled" for f in ctx.by_object.get(ref, ())):
            return True
        res = ctx.resource(ref) if ref.kind == "Pod" else None
        if res is not None and any(cs.oom_killed for cs in k8s_pods.container_statuses(res)):
            return True
    return False


def _chain(
    ctx: RuleContext, cand: _Candidate, symptoms: Sequence[Finding], root: ObjectRef
) -> list[ChainLink]:
    """cause → edge → symptom, one path per symptom object, found by a walk restricted to what was explained."""
    wanted = {s.object for s in symptoms} - {root}
    allowed = {s.object for s in symptoms} | cand.explanation.impacted | cand.start
    if propagates(cand.cause):
        allowed |= ctx.reach(
            cand.cause
        )  # the objects in between (a ReplicaSet between a webhook and its Deployment)
    parents: dict[ObjectRef, tuple[ObjectRef, str]] = {}
    starts = [root, *sorted(cand.start - {root})]
    seen = set(starts)
    for member in starts[1:]:
        parents[member] = (root, SAME_WORKLOAD)
    queue = deque(starts)
    while queue and not wanted <= seen:
        current = queue.popleft()
        for edge, targets in sorted(ctx.graph.out_edges(current).items()):
            for target in sorted(targets):
                if target in seen or target not in allowed:
                    continue
                seen.add(target)
                parents[target] = (current, edge)
                queue.append(target)
    links: dict[tuple[ObjectRef, str, ObjectRef], ChainLink] = {}
    for obj in sorted(wanted):
        path: list[tuple[ObjectRef, str, ObjectRef]] = []
        node = obj
        while node in parents and len(path) < 12:
            parent, edge = parents[node]
            path.append((parent, edge, node))
            node = parent
        for parent, edge, child in reversed(path):
            key = (parent, edge, child)
            if key not in links:
                why = (
                    "metadata.ownerReferences: one workload"
                    if edge == SAME_WORKLOAD
                    else ctx.graph.provenance(parent, edge, child)
                )
                links[key] = ChainLink(parent, edge, child, why)
    return list(links.values())[:MAX_CHAIN]


def _root_cause(ctx: RuleContext, cand: _Candidate, symptoms: list[Finding]) -> RootCause:
    exp = cand.explanation
    score = _BASE_SCORE.get(cand.spec.rank, 0.5) + (0.05 if len(symptoms) >= 3 else 0.0)
    evidence = list(dict.fromkeys(exp.evidence))
    if symptoms:
        evidence.append(f"explains {len(symptoms)} other finding(s) through the dependency graph")
    target = exp.object
    chain = _chain(ctx, cand, symptoms, cand.cause.object)
    return RootCause(
        cause=cand.cause,
        rule=cand.spec.id,
        summary=exp.summary,
        symptoms=tuple(symptoms),
        confidence=exp.confidence,
        score=min(score, 0.99),
        evidence=tuple(evidence),
        next_steps=tuple(exp.next_steps),
        target=target,
        chain=tuple(chain),
        target_layer=exp.layer,
    )


def _object_impact(ref: ObjectRef) -> int:
    """3 user-facing, 2 data, 1 platform, 0 observability only."""
    text = f"{ref.namespace or ''}/{ref.name}".lower()
    if ref.namespace in serves.OBSERVABILITY_NAMESPACES or any(
        word in text for word in serves.OBSERVABILITY_WORDS
    ):
        return 0
    if ref.kind in serves.DATA_KINDS or ref.namespace in serves.DATA_NAMESPACES:
        return 2
    if ref.kind in _ROUTE_KINDS:
        return 3
    if ref.kind in _WORKLOAD_KINDS and ref.namespace not in serves.PLATFORM_NAMESPACES:
        return 3
    return 1


def impact(rc: RootCause) -> int:
    """The worst thing a root cause reaches: user-facing (3), data (2), platform (1), observability only (0)."""
    refs = {rc.object, rc.cause.object, *(s.object for s in rc.symptoms)}
    return max(_object_impact(ref) for ref in refs)


def contained(rc: RootCause) -> bool:
    """Does the failure stay on its own object (nothing else it explains fails)? A source that cannot fetch
    while its consumers keep the last revision is contained; disk pressure that evicted an app is not."""
    own = {rc.object, rc.cause.object}
    return all(s.object in own for s in rc.symptoms)


def _order_key(rc: RootCause) -> tuple[bool, bool, int, int, int, int, tuple[int, int, str, str, str, str]]:
    level = impact(rc)
    return (
        level == 0,
        contained(rc),
        -rc.cause.severity.rank,
        -level,
        rc.layer.order,
        -len(rc.symptoms),
        rc.cause.sort_key,
    )


def diagnose(state: ClusterState, findings: Sequence[Finding]) -> list[RootCause]:
    if not findings:
        return []
    # many small sets and tuples, no garbage cycles: the cyclic GC would only rescan the snapshot
    with gc_paused():
        return _diagnose(state, findings)


def _candidates(
    ctx: RuleContext, findings: Sequence[Finding], by_check: dict[str, list[CauseRule]], generic: CauseRule
) -> list[_Candidate]:
    """Every finding's reading as a cause, each marked when another candidate is upstream of it."""
    candidates: list[_Candidate] = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        cand = _candidate(ctx, by_check.get(finding.check, []), generic, finding)
        if cand is not None:
            candidates.append(cand)
    symptom_sets = {id(c): set(c.symptoms) for c in candidates}
    explainers: dict[Finding, list[_Candidate]] = {}
    for cand in candidates:
        for symptom in cand.symptoms:
            explainers.setdefault(symptom, []).append(cand)
    for cand in candidates:
        cand.upstream_of_it = any(
            other.cause != cand.cause and other.cause not in symptom_sets[id(cand)]
            for other in explainers.get(cand.cause, ())
        )
    return candidates


def _warning_causes(
    ctx: RuleContext, findings: Sequence[Finding], by_check: dict[str, list[CauseRule]], generic: CauseRule
) -> list[_Candidate]:
    """When nothing critical failed, a warning that hurts users (every run of a CronJob skipped behind a hung
    Job) is still the cause to show, ranked as what it is - a warning."""
    found = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if (
            finding.severity is Severity.WARNING
            and propagates(finding)
            and _object_impact(ctx.fix_target(finding.object)) >= 2
        ):
            cand = _candidate(ctx, by_check.get(finding.check, []), generic, finding)
            if cand is not None:
                found.append(cand)
    return found


def _diagnose(state: ClusterState, findings: Sequence[Finding]) -> list[RootCause]:
    graph = DependencyGraph(state)
    ctx = RuleContext(state, graph, findings)
    readings = Readings(state.index)
    unread = quotes_unread()
    link_evidence(
        graph, {ref: [f for f in fs if f.check not in unread] for ref, fs in ctx.by_object.items()}, readings
    )
    correlate(ctx, readings)
    rules = all_cause_rules()
    generic = CAUSE_RULES["failure-propagates"]
    by_check: dict[str, list[CauseRule]] = {}
    for spec in rules:
        for check_id in spec.causes:
            by_check.setdefault(check_id, []).append(spec)
    candidates = _candidates(ctx, findings, by_check, generic)
    candidates.sort(key=lambda c: c.key)

    claimed: set[Finding] = set()
    causes: set[Finding] = set()
    accepted: list[RootCause] = []

    def accept(cand: _Candidate) -> None:
        own = [s for s in cand.symptoms if s not in claimed and s not in causes]
        causes.add(cand.cause)
        claimed.update(own)
        accepted.append(_root_cause(ctx, cand, own))

    for cand in candidates:
        if cand.cause in claimed or cand.cause in causes:
            continue
        if cand.cause.severity is not Severity.CRITICAL and not any(
            s not in claimed and s not in causes and s.object != cand.cause.object for s in cand.symptoms
        ):
            continue  # a warning that explains nothing beyond its own object stays a plain finding
        accept(cand)

    fallback = CAUSE_RULES["standalone"]
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if finding.severity is Severity.CRITICAL and finding not in claimed and finding not in causes:
            explanation = fallback.func(ctx, finding)
            if explanation is not None:
                cand = _Candidate(
                    fallback,
                    finding,
                    explanation,
                    ctx.start(finding),
                    _symptoms(ctx, finding, explanation, explanation.impacted),
                )
                accept(cand)

    if not accepted:
        for cand in _warning_causes(ctx, findings, by_check, generic):
            if cand.cause not in claimed and cand.cause not in causes:
                accept(cand)

    accepted.sort(key=_order_key)
    return accepted
