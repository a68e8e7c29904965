"""Run the registered checks over a ClusterState. Pure: no I/O, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from homelabctl.checks.registry import CheckContext, CheckSpec, all_checks
from homelabctl.k8s.meta import is_applied
from homelabctl.model import Finding, Layer, Nature, ObjectRef
from homelabctl.sources.base import ClusterState

CheckStatus = Literal["passed", "failed", "not_evaluated", "error"]


@dataclass(frozen=True)
class CheckResult:
    spec: CheckSpec
    status: CheckStatus
    findings: tuple[Finding, ...] = ()
    reason: str = ""


MANIFESTS_REASON = ("the input holds manifests never applied to a cluster (no object has a status, uid or "
                    "creationTimestamp): only configuration checks run; state checks need a live cluster or a "
                    "snapshot of one")


@dataclass
class CheckRun:
    results: list[CheckResult] = field(default_factory=list)
    manifest_objects: int = 0
    """Objects that were never applied (manifests): state checks do not judge them."""

    @cached_property
    def findings(self) -> list[Finding]:
        """Sorted once: scores, diagnosis and the report all read it. Read it only after the run."""
        found = [f for r in self.results for f in r.findings]
        return sorted(found, key=lambda f: f.sort_key)

    @property
    def not_evaluated(self) -> list[CheckResult]:
        return [r for r in self.results if r.status in ("not_evaluated", "error")]

    @property
    def passed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "passed"]


def select_checks(
    layers: Iterable[Layer] | None = None, ids: Iterable[str] | None = None, skip: Iterable[str] = ()
) -> list[CheckSpec]:
    wanted_layers = set(layers) if layers else None
    wanted_ids = set(ids) if ids else None
    skipped = set(skip)
    return [
        spec for spec in all_checks()
        if (wanted_layers is None or spec.layer in wanted_layers)
        and (wanted_ids is None or spec.id in wanted_ids)
        and spec.id not in skipped
    ]


def required_kinds(specs: Sequence[CheckSpec]) -> list[str]:
    """Every group-kind the given checks read: what a live source must list."""
    kinds = {"Event"}
    for spec in specs:
        kinds.update(spec.kinds)
    return sorted(kinds)


def why_not_evaluated(state: ClusterState, spec: CheckSpec) -> str | None:
    for gk in spec.requires:
        status = state.availability(gk)
        if not status.readable:
            return status.reason or f"{gk} could not be read"
    if spec.any_of and not any(state.availability(gk).readable for gk in spec.any_of):
        reasons = [state.availability(gk).reason for gk in spec.any_of]
        return "none of the kinds it reads could be read: " + "; ".join(r for r in reasons if r)
    return None


def manifest_refs(state: ClusterState) -> set[ObjectRef]:
    """Objects that never went through an API server: a GitOps directory read as a snapshot."""
    return {res.ref for res in state.index if not is_applied(res)}


def run_checks(state: ClusterState, specs: Sequence[CheckSpec] | None = None) -> CheckRun:
    manifests = manifest_refs(state)
    only_manifests = bool(manifests) and len(manifests) >= len(state.index)
    run = CheckRun(manifest_objects=len(manifests))
    for spec in specs if specs is not None else all_checks():
        reason = why_not_evaluated(state, spec)
        if not reason and only_manifests and spec.nature is Nature.STATE:
            reason = MANIFESTS_REASON
        if reason:
            run.results.append(CheckResult(spec, "not_evaluated", reason=reason))
            continue
        try:
            findings = tuple(spec.func(CheckContext(state, spec)))
        except Exception as exc:  # a broken check must not take the run down with it
            run.results.append(CheckResult(spec, "error", reason=f"check failed: {type(exc).__name__}: {exc}"))
            continue
        if manifests and spec.nature is Nature.STATE:
            # "replicas unavailable" on a Deployment that was never applied says nothing about a cluster
            findings = tuple(f for f in findings if f.object not in manifests)
        run.results.append(CheckResult(spec, "failed" if findings else "passed", findings))
    return run
