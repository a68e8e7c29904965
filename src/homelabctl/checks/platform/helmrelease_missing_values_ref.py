from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import condition_text, flux_cli
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, flux, meta
from homelabctl.model import Finding, Layer, Nature, Resource, Severity

_GK = {"Secret": kinds.SECRET, "ConfigMap": kinds.CONFIGMAP}
DEFAULT_VALUES_KEY = "values.yaml"


def _keys(obj: Resource) -> set[str]:
    """Keys a Secret or ConfigMap carries (values are redacted; the keys are all this needs)."""
    return meta.data_keys(obj)


def _problem(ctx: CheckContext, hr: Resource, ref: flux.ValuesRef) -> str | None:
    """What is wrong with one ``valuesFrom`` entry, or None (fine, optional, or unreadable kind)."""
    kind, name = ref.kind, ref.name
    gk = _GK.get(kind)
    if gk is None or not name or ref.optional or not ctx.readable(gk):
        return None
    target = ctx.index.get(gk, hr.namespace, name)
    if target is None:
        return f"{kind} {hr.namespace}/{name} does not exist"
    key = ref.values_key or DEFAULT_VALUES_KEY
    if key not in _keys(target):
        present = ", ".join(sorted(_keys(target))) or "none"
        return f"{kind} {hr.namespace}/{name} has no key {key!r} (keys: {present})"
    return None


@check(
    "helmrelease-missing-values-ref",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.HELM_RELEASE],
    any_of=[kinds.SECRET, kinds.CONFIGMAP],
    nature=Nature.CONFIGURATION,
)
def helmrelease_missing_values_ref(ctx: CheckContext) -> Iterator[Finding]:
    """HelmRelease takes values from a Secret or ConfigMap that does not exist.

    Reads each HelmRelease's ``spec.valuesFrom`` (kind, name, ``valuesKey`` defaulting to ``values.yaml``,
    ``optional``) and looks the object up in the HelmRelease's namespace. A missing object, or one without
    the key, stops helm-controller before it renders anything ("could not resolve Secret chart values
    reference"), so the release is neither installed nor upgraded. Entries marked ``optional: true`` are
    skipped, as helm-controller skips them; a kind that could not be read is not judged.

    Next step: create the Secret/ConfigMap in that namespace (for SOPS-encrypted secrets: check that the
    Kustomization that should deliver it decrypts and applies it), or fix the name in ``valuesFrom``; then
    ``flux reconcile helmrelease <name> -n <namespace>``.
    """
    for hr in ctx.index.all(kinds.HELM_RELEASE):
        refs = flux.values_from(hr)
        if not refs:
            continue
        problems = [p for p in (_problem(ctx, hr, ref) for ref in refs) if p]
        if not problems:
            continue
        evidence = [f"spec.valuesFrom: {p}" for p in problems]
        ready = conditions.condition(hr, "Ready")
        if ready is not None and ready.status != "True":
            evidence.append(condition_text(ready, 400))
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        missing_kind, _, rest = first.partition(" ")
        missing_name = rest.split(" ", 1)[0]
        yield ctx.finding(
            hr,
            f"HelmRelease {hr.namespace}/{hr.name} cannot render: its valuesFrom {first}{more}",
            evidence=evidence,
            hint=(
                f"Create {missing_kind} {missing_name} with the expected key (if it is a SOPS secret, check the "
                f"Kustomization that should decrypt and apply it) or fix spec.valuesFrom; then "
                f"`{flux_cli(hr, 'reconcile')}`"
            ),
        )
