from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import first_lines, limit_lines
from homelabctl.k8s import conditions, workloads
from homelabctl.kube import (
    pod_display_status,
    pod_is_ready,
    pod_node,
    pod_restarts,
    pods_of,
    workload_replicas,
)
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_PODS = 5


def _condition_lines(workload: Resource) -> list[str]:
    """Only conditions in their unhealthy state: a quota or admission refusal shows up here, not on a pod."""
    lines = []
    for type_, bad in (("Available", "False"), ("Progressing", "False"), ("ReplicaFailure", "True")):
        cond = conditions.condition(workload, type_)
        if cond is None or cond.status != bad:
            continue
        lines.append(
            f"condition {type_}={bad} reason={cond.reason or '?'}: "
            f"{first_lines(cond.message, lines=1)}".rstrip(": ")
        )
    return lines


@check(
    "workload-replicas-unavailable",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    any_of=[kinds.DEPLOYMENT, kinds.STATEFULSET],
    uses=[kinds.POD, kinds.REPLICASET],
)
def workload_replicas_unavailable(ctx: CheckContext) -> Iterator[Finding]:
    """Deployment or StatefulSet has fewer ready replicas than desired.

    Reads ``spec.replicas`` and ``status.readyReplicas``, the ``Available``/``Progressing``/
    ``ReplicaFailure`` conditions (a quota or admission refusal shows up there, not on any pod) and the
    status of each of its pods that is not ready. Critical when no replica is ready (the service is down),
    warning when some are. A workload scaled to ``replicas: 0`` is intentional and not reported.

    Next step: the pod lines in the evidence name the failing pods; follow the pod finding for each
    (crash loop, image, pending, stuck terminating). ``kubectl rollout status -n NS deploy/NAME``.
    """
    for gk in (kinds.DEPLOYMENT, kinds.STATEFULSET):
        for workload in ctx.index.all(gk):
            ready, desired = workload_replicas(workload)
            if desired == 0 or ready >= desired:
                continue
            evidence = [
                f"readyReplicas={ready}, spec.replicas={desired}"
                + (
                    f", updatedReplicas={updated}"
                    if (updated := workloads.updated_replicas(workload)) is not None
                    else ""
                )
            ]
            evidence.extend(_condition_lines(workload))
            not_ready = []
            for pod in sorted(pods_of(ctx.index, workload), key=lambda p: p.name):
                if pod_is_ready(pod) and not pod.deletion_timestamp:
                    continue
                where = f" on {pod_node(pod)}" if pod_node(pod) else ""
                not_ready.append(
                    f"pod {pod.name}: {pod_display_status(pod)}{where}, restarts={pod_restarts(pod)}"
                )
            evidence.extend(limit_lines(not_ready, MAX_PODS, "more pods"))
            kind = workload.kind
            short = "deploy" if kind == "Deployment" else "sts"
            yield ctx.finding(
                workload,
                f"{kind} {workload.namespace}/{workload.name} has {ready}/{desired} replicas ready",
                evidence=evidence,
                hint=(
                    f"Follow the findings on its pods; `kubectl rollout status -n {workload.namespace} "
                    f"{short}/{workload.name}` and `kubectl describe {short} -n {workload.namespace} {workload.name}`"
                ),
                severity=Severity.CRITICAL if ready == 0 else Severity.WARNING,
            )
