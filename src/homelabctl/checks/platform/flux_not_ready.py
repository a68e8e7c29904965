from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.platform._common import (
    FLUX_KINDS,
    condition_age,
    condition_text,
    dependency_in_message,
    depends_on,
    flux_cli,
    flux_logs_cmd,
    flux_timeout,
    generation_lag,
    is_suspended,
    latest_warning_event,
    missing_kinds_in_message,
    one_line,
    since_text,
    source_fetch_failure,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, flux, helmreleases
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_time, short_duration

# A reconcile that has not settled within this long is stuck, whatever its own timeout says.
MIN_PROGRESS_GRACE = timedelta(minutes=10)
# An object with no Ready condition at all this long after creation was never picked up by a controller.
NEVER_RECONCILED_GRACE = timedelta(minutes=10)


def _history_evidence(res: Resource) -> list[str]:
    lines: list[str] = []
    if res.kind == "HelmRelease":
        history = helmreleases.history(res)
        if history:
            latest = history[0]
            lines.append(
                f"latest release: {latest.name} v{latest.version} "
                f"chart {latest.chart_name}@{latest.chart_version} status={latest.status}"
            )
        lines += [f"status.{field}={value}" for field, value in helmreleases.status_fields(res)]
    elif res.kind == "Kustomization":
        applied = flux.last_applied_revision(res)
        attempted = flux.last_attempted_revision(res)
        if attempted:
            lines.append(f"lastAttemptedRevision={attempted}")
        if applied and applied != attempted:
            lines.append(f"lastAppliedRevision={applied} (the cluster still runs this one)")
    else:
        artifact = flux.artifact(res)
        if artifact is not None and artifact.revision:
            lines.append(
                f"artifact revision={artifact.revision} lastUpdateTime={artifact.last_update_time or '?'}"
            )
    return lines


def _dependency_evidence(ctx: CheckContext, res: Resource, message: str) -> tuple[str, list[str], bool]:
    """The dependency the object waits for (``namespace/name``), what is known about it, and whether it is
    known not to exist."""
    named = dependency_in_message(message)
    candidates = [named] if named else []
    candidates += [d for d in depends_on(res) if d not in candidates]
    lines: list[str] = []
    first = ""
    absent = False
    for namespace, name in candidates:
        dep = ctx.index.get(res.gk, namespace, name)
        label = f"{res.kind} {namespace}/{name}"
        if dep is None:
            state = "not found" if ctx.readable(res.gk) else "not in the snapshot"
        else:
            cond = conditions.condition(dep, "Ready")
            state = f"Ready={cond.status} reason={cond.reason or '?'}" if cond else "no Ready condition"
            if is_suspended(dep):
                state += ", suspended"
        lines.append(f"dependency: {label} ({state})")
        if not first:
            first = f"{namespace}/{name}"
            absent = dep is None and ctx.readable(res.gk)
    return first, lines, absent


@check(
    "flux-not-ready",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    any_of=list(FLUX_KINDS),
    uses=[kinds.EVENT],
)
def flux_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """Flux object not Ready (failed, waiting on a dependency, or reconciling for too long).

    Reads the ``Ready`` condition of every Kustomization, HelmRelease, GitRepository, HelmRepository and
    OCIRepository. ``Ready=False`` is critical and the finding carries the controller's reason and message
    (``InstallFailed``, ``UpgradeFailed``, ``ReconciliationFailed``, ``ArtifactFailed``, ``BuildFailed``,
    ``HealthCheckFailed``...), the release history or applied revision, and the newest Warning event.
    ``DependencyNotReady`` is only a warning and names the dependency in an evidence line
    ``dependency: <Kind> <namespace>/<name> (...)``: it is a symptom, and the diagnosis groups it under
    the dependency that failed (or, when the dependency does not exist, under ``flux-dependency-missing``). ``Ready=Unknown`` (reconciling) counts once it has lasted longer than the
    object's ``spec.timeout`` and at least 10 minutes; an object with no Ready condition 10 minutes after
    creation was never picked up by its controller. Missing-CRD failures ("no matches for kind") are left
    to ``flux-missing-crd``, which says which CRD is missing, and sources that cannot fetch
    (authentication, host key, not found, DNS, TLS, network) to ``flux-source-failed``.

    Why it matters: while an object is not Ready the cluster no longer follows Git; everything downstream
    (dependants, the apps in a Kustomization) is stuck at the last good revision or absent.

    Next step: read the message, fix the cause in Git or in the cluster, then
    ``flux reconcile <kind> <name> -n <namespace> --with-source``; ``flux logs --kind=<Kind> --name=<name>``
    shows the controller's side.
    """
    for gk in FLUX_KINDS:
        for res in ctx.index.all(gk):
            finding = _evaluate(ctx, res)
            if finding is not None:
                yield finding


def _never_reconciled(ctx: CheckContext, res: Resource, label: str, common: list[str]) -> Finding | None:
    """An object without a Ready condition long after it was created: no controller picked it up."""
    if res.kind == "HelmRepository" and flux.source_type(res) == "oci":
        return None  # OCI HelmRepositories are static: source-controller no longer reports on them
    created = parse_time(res.creation_timestamp)
    if created is None or ctx.now - created < NEVER_RECONCILED_GRACE or is_suspended(res):
        return None
    return ctx.finding(
        res,
        f"{label} has no Ready condition {short_duration(ctx.now - created)} after creation: no controller "
        "has reconciled it",
        evidence=["status.conditions has no Ready entry", *common],
        hint="Check that the Flux controllers run: `flux check` and `kubectl -n flux-system get pods`",
        severity=Severity.WARNING,
    )


def _evaluate(ctx: CheckContext, res: Resource) -> Finding | None:
    if conditions.condition_status(res, "Ready") == "True":
        return None  # most objects: nothing else is read for them
    ready = conditions.condition(res, "Ready")
    label = f"{res.kind} {res.namespace}/{res.name}" if res.namespace else f"{res.kind} {res.name}"
    common: list[str] = []
    if is_suspended(res):
        common.append("spec.suspend=true: the controller is not reconciling it, this status is frozen")
    lag = generation_lag(res)
    if lag:
        common.append(lag)
    if ready is None:
        return _never_reconciled(ctx, res, label, common)
    status, reason, message = ready.status, ready.reason, ready.message
    if status == "True":
        return None
    if status == "False" and missing_kinds_in_message(message):
        return None  # flux-missing-crd names the missing CRD; one finding per cause
    if source_fetch_failure(res) is not None:
        return None  # flux-source-failed names the fetch failure's class; one finding per source
    evidence = [condition_text(ready), f"lastTransitionTime={ready.last_transition_time or '?'}"]
    # The other conditions Flux sets only add something when they are in their "bad" state.
    for extra, bad in (
        ("Stalled", "True"),
        ("Reconciling", "True"),
        ("FetchFailed", "True"),
        ("Released", "False"),
    ):
        cond = conditions.condition(res, extra)
        if cond is not None and cond.status == bad:
            evidence.append(condition_text(cond, 300))
    evidence += _history_evidence(res)
    evidence += common
    event = latest_warning_event(ctx.index, res)
    if event:
        evidence.append(event)
    duration = since_text(ready, ctx.now)
    age = condition_age(ready, ctx.now)
    for_age = f", for {short_duration(age)}" if age is not None else ""
    waited = f" has waited {short_duration(age)}" if age is not None else " waits"

    if status == "False" and reason == "DependencyNotReady":
        dependency, dep_lines, absent = _dependency_evidence(ctx, res, message)
        target = f" {dependency}" if dependency else ""
        return ctx.finding(
            res,
            f"{label}{waited} for dependency{target}, which {'does not exist' if absent else 'is not Ready'}",
            evidence=[*evidence, *dep_lines],
            hint=(
                f"Change spec.dependsOn: nothing will create{target} (see flux-dependency-missing), then run "
                f"`{flux_cli(res, 'reconcile')}`"
                if absent
                else f"Fix the dependency{target} first (see its own finding); this object reconciles once it is "
                f"Ready, or run `{flux_cli(res, 'reconcile')}` afterwards"
            ),
            severity=Severity.WARNING,
        )
    if status == "False":
        return ctx.finding(
            res,
            f"{label} is not Ready ({reason or 'no reason'}{for_age}): {one_line(message, 200)}",
            evidence=evidence,
            hint=f"Fix the cause in Git or the cluster, then `{flux_cli(res, 'reconcile')}`; `{flux_logs_cmd(res)}`",
        )
    # Unknown: a reconcile is in progress; only one that never settles is a finding.
    grace = max(flux_timeout(res) or timedelta(0), MIN_PROGRESS_GRACE)
    stalled = conditions.condition(res, "Stalled")
    if stalled is not None and stalled.status == "True":
        return ctx.finding(
            res,
            f"{label} is stalled ({stalled.reason or '?'}{for_age}): {one_line(stalled.message, 200)}",
            evidence=evidence,
            hint=f"A stalled object is not retried until its spec changes: fix it, then `{flux_cli(res, 'reconcile')}`",
        )
    if age is None or age <= grace:
        return None
    return ctx.finding(
        res,
        f"{label} has been reconciling{duration} without becoming Ready ({reason or 'Progressing'})",
        evidence=[*evidence, f"allowed: {short_duration(grace)} (spec.timeout or 10m)"],
        hint=f"`{flux_logs_cmd(res)}` to see what it waits for (health checks, a Helm hook, a slow pull)",
        severity=Severity.WARNING,
    )
