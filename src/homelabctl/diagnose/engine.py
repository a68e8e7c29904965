"""Pick root causes: run every rule on every candidate finding, then assign each finding to one cause.

Candidates are ranked by rule rank (specific mechanisms before generic propagation), then by layer
(bottom-up: network before node before storage ...), then by how many findings they explain. Accepting
a cause claims its symptoms; a finding already claimed can no longer be a cause, so two unrelated
incidents keep their own symptoms and a symptom is never listed twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.model import RootCause
from homelabctl.diagnose.rules import RULES, Explanation, RuleContext, RuleSpec, all_rules
from homelabctl.model import Finding, Severity
from homelabctl.sources.base import ClusterState

_BASE_SCORE = {0: 0.9, 1: 0.7, 2: 0.5}

CONFIGURATION_CHECKS = frozenset({
    "flux-deprecated-api", "gpu-pod-no-priority-class", "gpu-namespace-no-quota", "kubelet-version-skew",
    "single-control-plane", "important-data-on-local-path", "default-storage-class", "cilium-gateway-api-config",
    "cilium-bgp-peering", "flux-suspended", "velero-no-offsite", "no-node-problem-detector",
    "admin-ui-exposed-without-auth", "certificate-expiring", "pod-restarts",
})
"""Findings about how something is configured, not about something failing. They can be a cause
(a wildcard on an HTTP-01 issuer), but never a symptom: a deprecated apiVersion on a HelmRelease that
cannot find its values Secret is a second problem, not a consequence of the first."""


@dataclass
class _Candidate:
    spec: RuleSpec
    cause: Finding
    explanation: Explanation
    symptoms: list[Finding]

    @property
    def key(self) -> tuple[int, int, int, int, tuple[int, int, str, str, str, str]]:
        return (self.spec.rank, self.cause.layer.order, -len(self.symptoms), -self.cause.severity.rank,
                self.cause.sort_key)


def _symptoms(ctx: RuleContext, cause: Finding, explanation: Explanation) -> list[Finding]:
    found = []
    for ref in explanation.impacted | {cause.object}:
        for finding in ctx.by_object.get(ref, ()):
            if finding is cause or finding == cause or finding.check in CONFIGURATION_CHECKS:
                continue
            if explanation.accepts is not None and not explanation.accepts(finding):
                continue
            found.append(finding)
    return sorted(found, key=lambda f: f.sort_key)


def _candidate(ctx: RuleContext, spec: RuleSpec, cause: Finding) -> _Candidate | None:
    explanation = spec.func(ctx, cause)
    if explanation is None:
        return None
    return _Candidate(spec, cause, explanation, _symptoms(ctx, cause, explanation))


def _root_cause(cand: _Candidate, symptoms: list[Finding]) -> RootCause:
    exp = cand.explanation
    score = _BASE_SCORE.get(cand.spec.rank, 0.5) + (0.05 if len(symptoms) >= 3 else 0.0)
    evidence = list(dict.fromkeys(exp.evidence))
    if symptoms:
        evidence.append(f"explains {len(symptoms)} other finding(s) through the dependency graph")
    return RootCause(
        cause=cand.cause, rule=cand.spec.id, summary=exp.summary, symptoms=tuple(symptoms),
        confidence=exp.confidence, score=min(score, 0.99), evidence=tuple(evidence),
        next_steps=tuple(exp.next_steps), target=exp.object,
    )


def diagnose(state: ClusterState, findings: Sequence[Finding]) -> list[RootCause]:
    if not findings:
        return []
    ctx = RuleContext(state, DependencyGraph(state), findings)
    candidates = []
    for spec in all_rules():
        for check_id in sorted(spec.causes):
            for cause in ctx.by_check.get(check_id, ()):
                cand = _candidate(ctx, spec, cause)
                if cand is not None:
                    candidates.append(cand)
    candidates.sort(key=lambda c: c.key)

    claimed: set[Finding] = set()
    causes: set[Finding] = set()
    accepted: list[RootCause] = []

    def accept(cand: _Candidate) -> None:
        own = [s for s in cand.symptoms if s not in claimed and s not in causes]
        causes.add(cand.cause)
        claimed.update(own)
        accepted.append(_root_cause(cand, own))

    for cand in candidates:
        if cand.cause in claimed or cand.cause in causes:
            continue
        if cand.cause.severity is not Severity.CRITICAL and not any(
                s not in claimed and s not in causes for s in cand.symptoms):
            continue  # a warning that explains nothing stays a plain finding
        accept(cand)

    fallback = RULES["standalone"]
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if finding.severity is Severity.CRITICAL and finding not in claimed and finding not in causes:
            cand = _candidate(ctx, fallback, finding)
            if cand is not None:
                accept(cand)

    accepted.sort(key=lambda rc: (-rc.cause.severity.rank, rc.layer.order, -len(rc.symptoms), rc.cause.sort_key))
    return accepted
