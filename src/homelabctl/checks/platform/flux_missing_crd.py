from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import condition_text, flux_cli, missing_kinds_in_message
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, crds, flux
from homelabctl.model import Finding, Layer, Resource, Severity, group_of

# API groups the API server serves itself; their kinds never have a CRD.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "apiextensions.k8s.io",
        "admissionregistration.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "scheduling.k8s.io",
        "node.k8s.io",
        "certificates.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "apiregistration.k8s.io",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "resource.k8s.io",
        "storagemigration.k8s.io",
        "internal.apiserver.k8s.io",
        "metrics.k8s.io",
    }
)


_READ = ("Ready", "Released")
"""The conditions whose message says a kind is not served (HelmRelease also ``Released``), read when False."""


def _installed(ctx: CheckContext) -> set[tuple[str, str]] | None:
    """(group, kind) of every CRD, or None when CRDs could not be read."""
    if not ctx.readable(kinds.CRD):
        return None
    installed: set[tuple[str, str]] = set()
    for crd in ctx.index.all(kinds.CRD):
        group, kind = crds.group_kind(crd)
        if kind:
            installed.add((group, kind))
    return installed


def _from_inventory(res: Resource, installed: set[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(kind, apiVersion, entry id) of inventory entries whose CRD is gone.

    Entry ids are ``<namespace>_<name>_<group>_<kind>``; names cannot contain ``_``, so the split is exact.
    """
    missing: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for entry in flux.inventory(res):
        parts = entry.id.split("_")
        if len(parts) != 4:
            continue
        _, _, group, kind = parts
        if group in BUILTIN_GROUPS or (group, kind) in installed or (group, kind) in seen:
            continue
        seen.add((group, kind))
        missing.append((kind, f"{group}/{entry.version or '?'}", entry.id))
    return missing


@check(
    "flux-missing-crd",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    any_of=[kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE],
    uses=[kinds.CRD],
)
def flux_missing_crd(ctx: CheckContext) -> Iterator[Finding]:
    """Flux applies objects whose CustomResourceDefinition is not installed.

    Reads the ``Ready`` (and HelmRelease ``Released``) condition message for ``no matches for kind "X" in
    version "g/v"`` - what the API server answers when a manifest uses a kind it does not serve - and, when
    CustomResourceDefinitions are readable, the Kustomization inventory (``status.inventory.entries``):
    an entry whose group/kind has no CRD any more was applied once and has lost its definition (the CRD was
    deleted, e.g. by an uninstall). The whole Kustomization or Helm release fails on one such object.
    When the CRD now exists but the message is old, the finding is a warning: reconcile again.

    Next step: install the CRDs first (the operator or CRD chart as its own HelmRelease/Kustomization that
    this one ``dependsOn``), or remove the object that needs them; ``kubectl get crd | grep <group>``.
    """
    installed = _installed(ctx)
    for gk in (kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE):
        for res in ctx.index.all(gk):
            finding = _evaluate(ctx, res, installed)
            if finding is not None:
                yield finding


def _evaluate(ctx: CheckContext, res: Resource, installed: set[tuple[str, str]] | None) -> Finding | None:
    reported: list[tuple[str, str]] = []
    conds = []
    # both conditions in one pass over the object's conditions; only a False one is read further
    for cond in conditions.false_conditions_of(res, _READ):
        if cond is None:
            continue
        found = missing_kinds_in_message(str(cond.message or ""))
        if found:
            conds.append(cond)
            reported += [pair for pair in found if pair not in reported]
    inventory = (
        _from_inventory(res, installed) if installed is not None and res.kind == "Kustomization" else []
    )
    if not reported and not inventory:
        return None
    label = f"{res.kind} {res.namespace}/{res.name}"
    evidence = [f"missing: kind {kind} apiVersion {api_version}" for kind, api_version in reported]
    evidence += [condition_text(cond, 400) for cond in conds[:1]]
    evidence += [
        f"inventory entry {entry_id} (apiVersion {api_version}): no CRD for kind {kind}"
        for kind, api_version, entry_id in inventory
    ]
    still_missing = [
        (kind, api) for kind, api in reported if installed is None or (group_of(api), kind) not in installed
    ]
    pairs = still_missing + [(kind, api) for kind, api, _ in inventory]
    if not pairs:
        # Every kind in the message has a CRD by now: the failure predates the CRD install.
        kinds_text = ", ".join(f"{kind} ({api})" for kind, api in reported)
        return ctx.finding(
            res,
            f"{label} last failed on missing CRD(s) for {kinds_text}, which are installed now",
            evidence=[*evidence, "the CRD(s) are present in CustomResourceDefinitions now"],
            hint=f"Reconcile again: `{flux_cli(res, 'reconcile')}`",
            severity=Severity.WARNING,
        )
    kind, api_version = pairs[0]
    groups = sorted({group_of(api) for _, api in pairs})
    grep = f"`kubectl get crd | grep {groups[0]}`"
    more = f" (and {len(pairs) - 1} more kind(s))" if len(pairs) > 1 else ""
    return ctx.finding(
        res,
        f"{label} applies {kind} ({api_version}) but no CRD for it is installed{more}",
        evidence=evidence,
        hint=(
            f"Install the CRDs for {', '.join(groups)} first (the operator or CRD chart as its own "
            f"HelmRelease/Kustomization listed in this one's dependsOn) or remove what needs them; {grep}"
        ),
    )
