from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import (
    FLUX_KINDS,
    FLUX_SOURCE_KINDS,
    condition_text,
    flux_cli,
    is_suspended,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, flux
from homelabctl.model import Finding, Layer, Nature, Resource, Severity

_SOURCE_KIND_NAMES = {"GitRepository", "HelmRepository", "OCIRepository", "Bucket"}


def _source_consumers(ctx: CheckContext) -> dict[tuple[str, str | None, str], list[str]]:
    """(kind, namespace, name) of a source → the Kustomizations and HelmReleases that read it."""
    consumers: dict[tuple[str, str | None, str], list[str]] = {}
    for gk in (kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE):
        for res in ctx.index.all(gk):
            for ref in flux.source_refs(res):
                if ref.kind in _SOURCE_KIND_NAMES:
                    key = (ref.kind, ref.namespace or None, ref.name)
                    consumers.setdefault(key, []).append(f"{res.kind} {res.namespace}/{res.name}")
    return consumers


@check(
    "flux-suspended",
    layer=Layer.PLATFORM,
    severity=Severity.INFO,
    any_of=list(FLUX_KINDS),
    nature=Nature.CONFIGURATION,
)
def flux_suspended(ctx: CheckContext) -> Iterator[Finding]:
    """Flux object suspended (``spec.suspend: true``): it no longer follows Git.

    Reads ``spec.suspend`` on Kustomizations, HelmReleases and sources. A suspended object keeps whatever
    was last applied and ignores every new commit, so a suspension left behind after an incident
    (``flux suspend kustomization --all`` is a common emergency measure) silently freezes part of the
    cluster. Warning for Kustomizations and sources (everything they deliver is frozen; the finding counts
    the inventory entries or the consumers) and for any suspended object that is not Ready (nothing will
    retry it); info for a healthy suspended HelmRelease, which is often a deliberate pin.

    Next step: if the suspension is no longer intended, ``flux resume <kind> <name> -n <namespace>``.
    """
    suspended = [res for gk in FLUX_KINDS for res in ctx.index.all(gk) if is_suspended(res)]
    # Mapping sources to their consumers reads every Kustomization and HelmRelease: only when needed.
    needs_consumers = any(res.gk in FLUX_SOURCE_KINDS for res in suspended)
    consumers = _source_consumers(ctx) if needs_consumers else {}
    for res in suspended:
        yield _finding(ctx, res, consumers)


def _finding(
    ctx: CheckContext, res: Resource, consumers: dict[tuple[str, str | None, str], list[str]]
) -> Finding:
    label = f"{res.kind} {res.namespace}/{res.name}"
    evidence = ["spec.suspend=true"]
    ready = conditions.condition(res, "Ready")
    if ready is not None:
        evidence.append(condition_text(ready, 300))
    not_ready = ready is None or ready.status != "True"
    frozen = ""
    if res.kind == "Kustomization":
        entries = flux.inventory_ids(res)
        frozen = f"{len(entries)} applied object(s) no longer follow Git"
        evidence.append(f"status.inventory: {len(entries)} entries")
        if flux.last_applied_revision(res):
            evidence.append(f"lastAppliedRevision={flux.last_applied_revision(res)}")
    elif res.kind in _SOURCE_KIND_NAMES:
        users = consumers.get((res.kind, res.namespace, res.name), [])
        frozen = f"{len(users)} consumer(s) get no new revisions"
        if users:
            evidence.append(
                "consumers: " + ", ".join(sorted(users)[:10]) + (" ..." if len(users) > 10 else "")
            )
        artifact = flux.artifact(res)
        if artifact is not None and artifact.revision:
            evidence.append(
                f"artifact revision={artifact.revision} lastUpdateTime={artifact.last_update_time or '?'}"
            )
    elif flux.last_attempted_revision(res):
        evidence.append(f"lastAttemptedRevision={flux.last_attempted_revision(res)}")
    severity = Severity.WARNING if (res.kind != "HelmRelease" or not_ready) else Severity.INFO
    detail = f": {frozen}" if frozen else ""
    if not_ready:
        detail += (
            ", and it is not Ready so nothing will retry it"
            if detail
            else ": it is not Ready and nothing will retry it"
        )
    return ctx.finding(
        res,
        f"{label} is suspended{detail}",
        evidence=evidence,
        hint=f"If the suspension is no longer intended: `{flux_cli(res, 'resume')}`",
        severity=severity,
    )
