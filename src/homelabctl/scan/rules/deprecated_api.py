from __future__ import annotations

from collections.abc import Iterator

from homelabctl.knowledge.apis import CONTROLLER_DEPRECATED, KUBE_REMOVED
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("deprecated-api", layer=Layer.PLATFORM, severity=Severity.WARNING)
def deprecated_api(ctx: ScanContext) -> Iterator[Finding]:
    """An object uses an API version that is deprecated, or removed by the target Kubernetes version.

    Reads ``apiVersion``/``kind`` of every object. Kubernetes APIs removed at or before the target version
    (``--kube-version``, ``scan.kube_version``, default 1.32; e.g. ``batch/v1beta1`` CronJob in 1.25,
    ``flowcontrol.apiserver.k8s.io/v1beta3`` in 1.32) are critical: the API server answers ``no matches
    for kind`` and the whole Flux Kustomization fails. Those removed later are warnings. Flux
    (``helm.toolkit.fluxcd.io/v2beta1``/``v2beta2``, ``kustomize.toolkit.fluxcd.io/v1beta2``...), cert-manager
    and Gateway API beta versions superseded by stable ones are reported with their replacement;
    cert-manager's pre-v1 APIs, gone since 1.7, are critical.

    Next step: change ``apiVersion`` to the replacement (check field changes in the project's upgrade
    notes); ``flux migrate`` rewrites Flux manifests.
    """
    target = ctx.options.kube
    target_text = f"{target[0]}.{target[1]}"
    for doc in ctx.repo.objects:
        if not ctx.applied(doc):
            continue
        api, kind = doc.api_version, doc.kind
        removed = KUBE_REMOVED.get((api, kind))
        line = doc.line_of("apiVersion")
        if removed is not None:
            replacement, version = removed
            gone = target >= version
            yield ctx.finding(
                doc,
                f"{kind} {doc.name} uses {api}, "
                + (
                    f"which Kubernetes {target_text} no longer serves (removed in {version[0]}.{version[1]})"
                    if gone
                    else f"which is removed in Kubernetes {version[0]}.{version[1]}"
                ),
                evidence=[
                    f"apiVersion: {api}",
                    f"target Kubernetes version: {target_text}",
                    f"replacement: {replacement}",
                ],
                hint=f"Change apiVersion to {replacement}"
                if "/" in replacement
                else f"Migrate to {replacement}",
                severity=Severity.CRITICAL if gone else Severity.WARNING,
                line=line,
            )
            continue
        entry = CONTROLLER_DEPRECATED.get((api, kind)) or CONTROLLER_DEPRECATED.get((api, None))
        if entry is None:
            continue
        replacement, since, gone = entry
        state = f"no longer served since {since}" if gone else f"deprecated since {since}"
        yield ctx.finding(
            doc,
            f"{kind} {doc.name} uses {api}, {state}; use {replacement}",
            evidence=[f"apiVersion: {api}", f"replacement: {replacement}"],
            hint=f"Change apiVersion to {replacement}"
            + (" (`flux migrate` rewrites Flux manifests)" if "fluxcd" in api else ""),
            severity=Severity.CRITICAL if gone else Severity.WARNING,
            line=line,
        )
