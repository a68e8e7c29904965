from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import depends_on, flux_cli, is_suspended
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions
from homelabctl.model import Finding, Layer, Lifecycle, Nature, Resource, Severity

DEPENDENT_KINDS: tuple[str, ...] = (kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE)
"""A Kustomization's ``dependsOn`` names Kustomizations, a HelmRelease's names HelmReleases."""


@check(
    "flux-dependency-missing",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    any_of=list(DEPENDENT_KINDS),
    nature=Nature.CONFIGURATION,
    lifecycle=Lifecycle.PREVIEW,
)
def flux_dependency_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Flux Kustomization or HelmRelease whose ``dependsOn`` names an object that does not exist.

    Reads ``spec.dependsOn`` of every Kustomization and HelmRelease (a dependency's namespace defaults to the
    object's own) and looks each one up among the objects of the same kind. Only kinds that were read are
    judged: when Kustomizations (or HelmReleases) could not be read, their dependencies are not evaluated,
    never assumed missing; nor is a dependency the controller's own Ready message says it found
    (``dependency '<ns>/<name>' is not ready``: the snapshot holds only part of the cluster). Names still
    holding a ``${...}`` substitution are skipped. The evidence quotes the
    controller's Ready condition (kustomize-controller says ``dependency 'flux-system/<name>' not found:
    kustomizations.kustomize.toolkit.fluxcd.io "<name>" not found``) and the objects of that kind whose names
    are close to the missing one: a dependency renamed or moved to another namespace is the usual cause.

    Why it matters: the controller checks every dependency before each reconcile and retries forever
    (``DependencyNotReady``, every 30 s) while one is absent; the object applies nothing pushed to Git since,
    and everything that depends on it waits too. Nothing else will ever make the dependency appear: the
    ``dependsOn`` entry is the configuration to change.

    Next step: point ``dependsOn`` at the object's new name (or namespace) in Git, or remove the entry,
    then ``flux reconcile <kind> <name> -n <namespace> --with-source``.
    """
    for gk in DEPENDENT_KINDS:
        if not ctx.readable(gk):
            continue
        known: list[tuple[str, str]] | None = None
        for res in ctx.index.all(gk):
            deps = depends_on(res)
            if not deps:
                continue
            missing = [
                dep
                for dep in deps
                if "${" not in dep[1] and ctx.index.get(gk, *dep) is None and not _controller_found(res, dep)
            ]
            if not missing:
                continue
            if known is None:
                known = [(obj.namespace or "", obj.name) for obj in ctx.index.all(gk)]
            for namespace, name in missing:
                yield _finding(ctx, res, namespace, name, known)


def _controller_found(res: Resource, dep: tuple[str, str]) -> bool:
    """Does the controller's Ready message say it found the dependency (``dependency 'ns/name' is not ready``)?
    Then the dependency exists in the cluster and only the snapshot lacks it (one namespace captured)."""
    ready = conditions.condition(res, "Ready")
    quoted = f"dependency '{dep[0]}/{dep[1]}'"
    if ready is None or quoted not in ready.message:
        return False
    return not ready.message.partition(quoted)[2].startswith(" not found")


def _finding(
    ctx: CheckContext, res: Resource, namespace: str, name: str, known: list[tuple[str, str]]
) -> Finding:
    label = f"{res.kind} {res.namespace}/{res.name}"
    evidence = [f"spec.dependsOn: {namespace}/{name} ({res.kind} {namespace}/{name} not found)"]
    ready = conditions.condition(res, "Ready")
    if ready is not None and ready.status != "True":
        evidence.append(f"Ready={ready.status} {ready.reason}: {' '.join(ready.message.split())[:300]}")
    same_name = [f"{ns}/{n}" for ns, n in known if n == name and ns != namespace]
    import difflib  # here, not at the top: only a finding needs it, and every start would pay ~1 ms for it

    close = difflib.get_close_matches(name, [n for ns, n in known if ns == namespace], n=3, cutoff=0.6)
    if same_name:
        evidence.append(f"a {res.kind} of that name exists in another namespace: {', '.join(same_name)}")
    if close:
        evidence.append(f"{res.kind}s with a close name in {namespace}: {', '.join(close)}")
    suspended = is_suspended(res)
    if suspended:
        evidence.append("spec.suspend=true: it would wait for the dependency once resumed")
    return ctx.finding(
        res,
        f"{label} depends on {res.kind} {namespace}/{name}, which does not exist: it applies nothing until "
        "spec.dependsOn is changed",
        evidence=evidence,
        hint=(
            f"Fix spec.dependsOn of {label} in Git (the dependency's current name and namespace) or remove the "
            f"entry, then `{flux_cli(res, 'reconcile')}`"
        ),
        severity=Severity.WARNING if suspended else None,
    )
