from __future__ import annotations

import re
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    CONFIG_ERROR_REASONS,
    all_statuses,
    container_label,
    event_lines,
    first_lines,
    owner_line,
    waiting,
    waiting_reason,
)
from homelabctl.k8s.pod_trouble import troubled_pods
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer, Severity

# kubelet's wording: `secret "authentik-secret" not found`, `configmap "x" not found`,
# `couldn't find key cookie-secret in Secret monitoring/oauth2-proxy`.
_MISSING_RE = LazyPattern(r'\b(secret|configmap)s? "([^"]+)" not found', re.IGNORECASE)
_MISSING_KEY_RE = LazyPattern(r"couldn't find key (\S+) in (Secret|ConfigMap) ([\w.-]+)/([\w.-]+)")


@check(
    "pod-config-error",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.EVENT, kinds.SECRET, kinds.CONFIGMAP],
)
def pod_config_error(ctx: CheckContext) -> Iterator[Finding]:
    """Pod container cannot be created (CreateContainerConfigError, CreateContainerError, RunContainerError).

    Reads container ``state.waiting`` reasons and messages and the pod's ``Failed`` events. The usual
    cause is a Secret or ConfigMap (or one key in it) that the pod references and that does not exist in
    the namespace: a SOPS-encrypted Secret Flux could not decrypt, a Secret created under another name,
    a key renamed by a chart upgrade.

    Next step: ``kubectl get secret -n NS NAME``; if it is SOPS-managed, ``flux get kustomizations -A``
    and check that the Kustomization that should create it has ``decryption.provider: sops``.
    """
    for pod in troubled_pods(ctx.index):
        stuck = [
            (cs, is_init) for cs, is_init in all_statuses(pod) if waiting_reason(cs) in CONFIG_ERROR_REASONS
        ]
        if not stuck:
            continue
        evidence: list[str] = []
        missing: list[tuple[str, str, str, str]] = []  # kind, namespace, name, key
        for cs, is_init in stuck:
            message = str(waiting(cs).get("message") or "")
            evidence.append(
                f"{container_label(cs, is_init)}: {waiting_reason(cs)}"
                + (f": {first_lines(message, lines=2)}" if message else "")
            )
            for kind, name in _MISSING_RE.findall(message):
                missing.append(
                    ("Secret" if kind.lower() == "secret" else "ConfigMap", str(pod.namespace), name, "")
                )
            for key, kind, ns, name in _MISSING_KEY_RE.findall(message):
                missing.append((kind, ns, name, key))
        evidence.extend(event_lines(ctx.index, pod, ("Failed",), now=ctx.now))
        evidence.append(owner_line(ctx.index, pod))
        if missing:
            kind, ns, name, key = missing[0]
            what = f"key {key} in {kind} {ns}/{name}" if key else f"{kind} {ns}/{name}"
            gk = kinds.SECRET if kind == "Secret" else kinds.CONFIGMAP
            if not key and ctx.readable(gk):
                exists = ctx.index.get(gk, ns, name) is not None
                evidence.append(
                    f"{kind} {ns}/{name} "
                    + (
                        "exists in the snapshot now: the kubelet will pick it up on its next retry"
                        if exists
                        else "is not in the snapshot"
                    )
                )
            message = f"Pod {pod.namespace}/{pod.name} cannot start its containers: {what} does not exist"
            hint = (
                f"Create it and check with `kubectl get {kind.lower()} -n {ns} {name}`; if it comes from a "
                "SOPS-encrypted file, check the Flux Kustomization's decryption settings "
                "(`flux get kustomizations -A`)"
            )
        else:
            message = (
                f"Pod {pod.namespace}/{pod.name} cannot create its containers ({waiting_reason(stuck[0][0])})"
            )
            hint = f"`kubectl describe pod -n {pod.namespace} {pod.name}` and fix what the message names"
        yield ctx.finding(pod, message, evidence=evidence, hint=hint)
