from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl.checks.platform._common import (
    FLUX_SOURCE_KINDS,
    condition_age,
    condition_text,
    flux_cli,
    flux_interval,
    is_suspended,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, flux
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_time, short_duration

INTERVALS = 3
"""A source may miss this many fetch intervals before what it serves counts as stale."""
MIN_STALE = timedelta(minutes=15)
DEFAULT_INTERVAL = timedelta(minutes=10)


def _allowed(res: Resource) -> timedelta:
    return max((flux_interval(res) or DEFAULT_INTERVAL) * INTERVALS, MIN_STALE)


@check("flux-source-stale", layer=Layer.PLATFORM, severity=Severity.WARNING, any_of=list(FLUX_SOURCE_KINDS))
def flux_source_stale(ctx: CheckContext) -> Iterator[Finding]:
    """Flux source serves an old artifact, or none, because fetching keeps failing.

    Reads GitRepositories, HelmRepositories and OCIRepositories: ``status.artifact`` (revision,
    ``lastUpdateTime``), the ``Ready``/``FetchFailed`` conditions and ``spec.interval``. Fires when a source
    has never produced an artifact long after creation, or when fetching has failed for longer than
    3 × ``spec.interval`` (at least 15 minutes): every Kustomization and HelmRelease reading it keeps
    deploying the old revision while Git moves on. An old ``lastUpdateTime`` alone is not stale - the
    artifact is only rebuilt when the revision changes, so a quiet repository looks old and is fine.
    Suspended sources (``flux-suspended``) and OCI HelmRepositories (static, no artifact) are skipped.

    Next step: ``flux get sources all -A``, fix credentials/URL/network from the FetchFailed message, then
    ``flux reconcile source git <name> -n <namespace>``.
    """
    for gk in FLUX_SOURCE_KINDS:
        for res in ctx.index.all(gk):
            if is_suspended(res) or (res.kind == "HelmRepository" and flux.source_type(res) == "oci"):
                continue
            finding = _evaluate(ctx, res)
            if finding is not None:
                yield finding


def _evaluate(ctx: CheckContext, res: Resource) -> Finding | None:
    label = f"{res.kind} {res.namespace}/{res.name}"
    allowed = _allowed(res)
    artifact = flux.artifact(res)
    ready = conditions.condition(res, "Ready")
    failing = conditions.condition(res, "FetchFailed")
    if failing is None or failing.status != "True":
        failing = ready if ready is not None and ready.is_false else None
    evidence = [f"spec.interval={flux.interval(res) or '?'} (stale after {short_duration(allowed)})"]
    if failing is not None:
        evidence.append(condition_text(failing, 400))
        evidence.append(f"failing since {failing.last_transition_time or '?'}")
    url = flux.url(res)
    if url:
        evidence.append(f"spec.url={url}")
    if artifact is None or not artifact.revision:
        created = parse_time(res.creation_timestamp)
        if created is None or ctx.now - created <= allowed:
            return None
        reason = f": {failing.reason or '?'}" if failing is not None else ""
        return ctx.finding(
            res,
            f"{label} has never produced an artifact in {short_duration(ctx.now - created)}{reason}",
            evidence=["status.artifact is absent", *evidence],
            hint=f"`flux get sources all -A`; fix the fetch error, then `{flux_cli(res, 'reconcile')}`",
        )
    if failing is None:
        return None
    failing_for = condition_age(failing, ctx.now)
    if failing_for is None or failing_for <= allowed:
        return None
    served = parse_time(artifact.last_update_time)
    age = f" stored {short_duration(ctx.now - served)} ago" if served else ""
    evidence.append(
        f"artifact revision={artifact.revision} lastUpdateTime={artifact.last_update_time or '?'}"
    )
    return ctx.finding(
        res,
        f"{label} has failed to fetch for {short_duration(failing_for)}; consumers still get revision "
        f"{artifact.revision}{age}",
        evidence=evidence,
        hint=f"Fix the fetch error (credentials, URL, network), then `{flux_cli(res, 'reconcile')}`",
    )
