from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import limit_lines
from homelabctl.k8s import refusals
from homelabctl.model import Finding, Layer, ObjectRef, Severity

MAX_WORKLOADS = 5


@check(
    "pod-security-refused",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    any_of=[kinds.EVENT, kinds.REPLICASET],
    uses=[kinds.NAMESPACE, kinds.JOB, kinds.STATEFULSET, kinds.DAEMONSET],
)
def pod_security_refused(ctx: CheckContext) -> Iterator[Finding]:
    """Namespace whose Pod Security level refuses the pods of a controller.

    Reads ``FailedCreate`` Warning events of ReplicaSets, Jobs, StatefulSets and DaemonSets and the
    ``ReplicaFailure`` condition of ReplicaSets for ``violates PodSecurity "<level>:<version>": ...``,
    keeping the controllers that still lack pods, and the namespace's ``pod-security.kubernetes.io/enforce``
    (and ``enforce-version``) label. One finding per namespace, on the Namespace, listing the workloads
    refused and the fields the admission message names (``hostNetwork=true``, ``privileged``, ``hostPath``
    volumes, ``runAsNonRoot``...).

    Why it matters: Pod Security admission refuses the pod at create time, so no pod exists to crash or to
    show an event: the workload just stays at zero replicas (often after an update deleted the old pod).
    The object that refuses is the namespace's label, not the workload.

    Next step: either relax the namespace (``kubectl label namespace NS
    pod-security.kubernetes.io/enforce=privileged --overwrite``, or move the workload to a namespace meant
    for privileged pods), or change the pod's ``securityContext``/spec so it no longer needs the fields
    the message lists.
    """
    by_namespace: dict[str, list[tuple[refusals.Refused, refusals.PodSecurityRefusal]]] = {}
    for refused in refusals.refused_controllers(ctx.index):
        for message in refused.messages:
            parsed = refusals.pod_security_refusal(message)
            if parsed is not None and refused.controller.namespace:
                by_namespace.setdefault(refused.controller.namespace, []).append((refused, parsed))
                break
    for namespace, entries in sorted(by_namespace.items()):
        ns_obj = ctx.index.get(kinds.NAMESPACE, None, namespace)
        level = entries[0][1].level
        version = entries[0][1].version
        evidence = []
        if ns_obj is not None:
            labels = refusals.pod_security_labels(ns_obj)
            if labels.enforce:
                evidence.append(
                    f"Namespace {namespace}: label {refusals.ENFORCE_LABEL}={labels.enforce}"
                    + (f", {refusals.ENFORCE_VERSION_LABEL}={labels.version}" if labels.version else "")
                )
            else:
                evidence.append(
                    f"Namespace {namespace} has no {refusals.ENFORCE_LABEL} label: the API server's default "
                    f"PodSecurity configuration enforces {level}"
                )
        workloads = sorted({f"{r.top.kind} {r.top.name}" for r, _ in entries})
        lines = [
            f"{r.top.kind} {r.top.name}"
            + (f" ({r.controller.kind} {r.controller.name})" if r.controller is not r.top else "")
            + f': violates PodSecurity "{p.level}:{p.version}": {p.violations}'
            for r, p in entries
        ]
        evidence.extend(limit_lines(lines, MAX_WORKLOADS, "more workloads"))
        fields = entries[0][1].violations
        first = entries[0][0].top
        yield ctx.finding(
            ns_obj if ns_obj is not None else ObjectRef("Namespace", None, namespace),
            f'Namespace {namespace} enforces PodSecurity "{level}:{version}" and refuses the pods of '
            f"{len(workloads)} workload(s): {', '.join(workloads[:MAX_WORKLOADS])}",
            evidence=evidence,
            hint=(
                f"Relax the namespace: `kubectl label namespace {namespace} {refusals.ENFORCE_LABEL}=privileged "
                f"--overwrite` (changes the cluster; or move the workload to a namespace meant for privileged "
                f"pods), or change the pod spec of {first.kind} {first.namespace}/{first.name} so it no longer "
                f"needs: {fields}"
            ),
        )
