"""Run the registered checks over a ClusterState. Pure: no I/O, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Literal, get_args
from weakref import WeakKeyDictionary

import msgspec
from msgspec.structs import replace

from homelabctl import containment
from homelabctl.checks.registry import CheckContext, CheckSpec, all_checks
from homelabctl.gcutil import gc_paused
from homelabctl.k8s.memo import run_scope
from homelabctl.k8s.meta import never_applied
from homelabctl.kinds import DIAGNOSIS_KINDS
from homelabctl.model import Finding, Layer, Nature, ObjectRef
from homelabctl.sources.base import ClusterState, LoadError
from homelabctl.sources.index import ClusterIndex

CheckStatus = Literal["passed", "failed", "partially_evaluated", "not_evaluated", "error"]
"""``passed`` only when every kind the verdict needs was read; ``partially_evaluated``: no findings, but some
of the kinds it reads (``any_of``) could not be read, so "nothing found" is not a verdict."""


class CheckResult(msgspec.Struct, frozen=True):
    spec: CheckSpec
    status: CheckStatus
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    object_errors: tuple[str, ...] = ()
    """Objects this check skipped because a value in them was malformed (object, field, why)."""
    missing: tuple[str, ...] = ()
    """Kinds it reads that could not be read (its findings, if any, cover only the rest)."""


MANIFESTS_REASON = (
    "the input holds manifests never applied to a cluster (no object has a status, uid or "
    "creationTimestamp): only configuration checks run; state checks need a live cluster or a "
    "snapshot of one"
)


# ``dict=True``: ``findings`` is a cached_property, which needs an instance __dict__ (a dataclass here cost
# ~0.4 ms of every start: it exec()s generated source for each method).
class CheckRun(msgspec.Struct, dict=True):
    results: list[CheckResult] = msgspec.field(default_factory=list)
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

    @property
    def partially_evaluated(self) -> list[CheckResult]:
        """Checks that ran on part of what they read: no verdict (no findings) or findings on the rest."""
        return [r for r in self.results if r.missing and r.status in ("partially_evaluated", "failed")]


def select_checks(
    layers: Iterable[Layer] | None = None, ids: Iterable[str] | None = None, skip: Iterable[str] = ()
) -> list[CheckSpec]:
    wanted_layers = set(layers) if layers else None
    wanted_ids = set(ids) if ids else None
    skipped = set(skip)
    return [
        spec
        for spec in all_checks()
        if (wanted_layers is None or spec.layer in wanted_layers)
        and (wanted_ids is None or spec.id in wanted_ids)
        and spec.id not in skipped
    ]


def required_kinds(specs: Sequence[CheckSpec]) -> list[str]:
    """Every group-kind the given checks read, and those the diagnosis follows: what a live source must
    list."""
    kinds = {"Event", *DIAGNOSIS_KINDS}
    for spec in specs:
        kinds.update(spec.kinds)
    return sorted(kinds)


def unread_kinds(state: ClusterState, spec: CheckSpec) -> tuple[str, ...]:
    """The ``any_of`` kinds that exist but could not be read (forbidden, failed, stalled), when at least one
    could (else it is not evaluated). A kind that is not installed, or that a snapshot simply does not hold,
    has no objects to miss."""
    return tuple(gk for gk in spec.any_of if state.availability(gk).state in ("forbidden", "error"))


def partial_reason(state: ClusterState, missing: Sequence[str]) -> str:
    reasons = [state.availability(gk).reason or f"{gk} could not be read" for gk in missing]
    return "partially evaluated: not read: " + "; ".join(reasons)


def why_not_evaluated(state: ClusterState, spec: CheckSpec) -> str | None:
    for gk in spec.requires:
        status = state.availability(gk)
        if not status.readable:
            return status.reason or f"{gk} could not be read"
    if spec.any_of and not any(state.availability(gk).readable for gk in spec.any_of):
        reasons = [state.availability(gk).reason for gk in spec.any_of]
        return "none of the kinds it reads could be read: " + "; ".join(r for r in reasons if r)
    if spec.nature is Nature.STATE and only_manifests(state):
        return MANIFESTS_REASON
    return None


_MANIFESTS: WeakKeyDictionary[ClusterIndex, tuple[int, frozenset[ObjectRef]]] = WeakKeyDictionary()


def manifest_refs(state: ClusterState) -> frozenset[ObjectRef]:
    """Objects that never went through an API server: a GitOps directory read as a snapshot. Read once
    per state (every state check asks)."""
    cached = _MANIFESTS.get(state.index)
    if cached is not None and cached[0] == len(state.index):
        return cached[1]
    found = frozenset(res.ref for res in never_applied(state.index))
    _MANIFESTS[state.index] = (len(state.index), found)
    return found


def only_manifests(state: ClusterState) -> bool:
    manifests = manifest_refs(state)
    return bool(manifests) and len(manifests) >= len(state.index)


_STATUSES: tuple[CheckStatus, ...] = get_args(CheckStatus)


def _without_findings(result: CheckResult) -> CheckStatus:
    """``passed``; ``partially_evaluated`` where the engine has that status and some kinds went unread (no
    findings on part of the input is still no verdict)."""
    if getattr(result, "missing", ()):
        for status in _STATUSES:
            if str(status) == "partially_evaluated":
                return status
    return "passed"


def applied_only(state: ClusterState, run: CheckRun) -> CheckRun:
    """State checks judge objects an API server returned: their findings on manifests that were never
    applied ("replicas unavailable" on a Deployment that exists only in Git) are dropped."""
    manifests = manifest_refs(state)
    run.manifest_objects = len(manifests)
    if not manifests:
        return run
    for i, result in enumerate(run.results):
        if result.spec.nature is not Nature.STATE or not result.findings:
            continue
        kept = tuple(f for f in result.findings if f.object not in manifests)
        if len(kept) != len(result.findings):
            status = result.status if kept or result.status != "failed" else _without_findings(result)
            run.results[i] = replace(result, findings=kept, status=status)
    return run


def run_checks(state: ClusterState, specs: Sequence[CheckSpec] | None = None) -> CheckRun:
    # checks share their readings of each object (k8s.memo) for this run only; they build small short-lived
    # records and no garbage cycles, so the cyclic GC would only rescan what the run holds (~5% of the checks)
    with run_scope(), gc_paused():
        return _run_checks(state, specs)


def _run_checks(state: ClusterState, specs: Sequence[CheckSpec] | None) -> CheckRun:
    run = CheckRun()
    for spec in specs if specs is not None else all_checks():
        reason = why_not_evaluated(state, spec)
        if reason:
            run.results.append(CheckResult(spec, "not_evaluated", reason=reason))
            continue
        result = _run_contained(state, spec)
        missing = unread_kinds(state, spec) if result.status in ("passed", "failed") else ()
        if missing:
            status: CheckStatus = "failed" if result.findings else "partially_evaluated"
            result = CheckResult(
                spec, status, result.findings, partial_reason(state, missing), result.object_errors, missing
            )
        run.results.append(result)
    _record_object_errors(state, run)
    return applied_only(state, run)


def _record_object_errors(state: ClusterState, run: CheckRun) -> None:
    """Objects a check had to skip are errors of the run, as unreadable input is (once, however often the
    checks run on this state)."""
    known = {str(e) for e in state.errors}
    for result in run.results:
        for text in result.object_errors:
            where, _, message = text.partition(": ")
            error = LoadError(where, message)
            if str(error) not in known:
                known.add(str(error))
                state.errors.append(error)


def _run_contained(state: ClusterState, spec: CheckSpec) -> CheckResult:
    """Run one check; a malformed object costs its own findings (see homelabctl.containment), not the check's."""
    dropped: set[int] = set()
    object_errors: list[str] = []
    current = state
    while True:
        try:
            findings = tuple(spec.func(CheckContext(current, spec)))
        except Exception as exc:  # a broken check or a malformed object must not take the run down with it
            res = containment.culprit(exc.__traceback__)
            if res is None or id(res) in dropped or len(dropped) >= containment.MAX_QUARANTINED:
                return CheckResult(
                    spec,
                    "error",
                    reason=f"check failed: {type(exc).__name__}: {exc}",
                    object_errors=tuple(object_errors),
                )
            dropped.add(id(res))
            object_errors.append(containment.describe(res, exc, spec.id))
            current = containment.without(state, dropped)
            continue
        return CheckResult(
            spec, "failed" if findings else "passed", findings, object_errors=tuple(object_errors)
        )
