from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.monitoring._common import (
    CLUSTER,
    custom_resource_lines,
    find_pods,
    pod_lines,
    related_releases,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.model import Finding, Layer, Severity

PROMETHEUS_LABELS = ("prometheus", "prometheus-server", "victoria-metrics-single", "vmsingle", "vmstorage")
PROMETHEUS_IMAGES = ("prometheus/prometheus", "victoriametrics/victoria-metrics", "victoriametrics/vmstorage")


@check(
    "no-prometheus",
    layer=Layer.MONITORING,
    severity=Severity.WARNING,
    requires=[kinds.POD],
    uses=[kinds.PROMETHEUS, kinds.HELM_RELEASE],
)
def no_prometheus(ctx: CheckContext) -> Iterator[Finding]:
    """No Prometheus (or other metrics store) is running: nothing records metrics.

    Looks for pods labelled ``app.kubernetes.io/name=prometheus`` (kube-prometheus-stack's
    ``prometheus-*`` StatefulSet, the prometheus chart's server) or running a Prometheus or
    VictoriaMetrics image, and counts those that are Running and Ready. When there are such pods but none
    is ready, or a ``Prometheus`` custom resource or a prometheus HelmRelease exists without pods, the
    finding quotes them. Without metrics there are no alerts, no history to diagnose from, and the
    Longhorn/CSI alert rules written after an incident never fire.

    Next step: install kube-prometheus-stack through Flux (a HelmRelease in ``monitoring``) on
    replicated storage, then add the alert rules.
    """
    found = find_pods(ctx.index, PROMETHEUS_LABELS, PROMETHEUS_IMAGES)
    if found.running:
        return
    evidence = pod_lines(found.failing)
    evidence.extend(custom_resource_lines(ctx.index, kinds.PROMETHEUS))
    evidence.extend(related_releases(ctx.index, ("prometheus",)))
    if found.failing:
        first = sorted(found.failing, key=lambda p: (p.namespace or "", p.name))[0]
        owner = ctx.index.top_owner(first)
        yield ctx.finding(
            owner,
            f"Prometheus is not running: {len(found.failing)} pod(s), none ready",
            evidence=evidence,
            hint=f"Follow the pod findings for {first.namespace}/{first.name}; "
            f"`kubectl describe pod -n {first.namespace} {first.name}`",
        )
        return
    prometheuses = list(ctx.index.all(kinds.PROMETHEUS))
    target = prometheuses[0] if prometheuses else CLUSTER
    evidence.insert(
        0, "no pod labelled app.kubernetes.io/name=prometheus or running a Prometheus/VictoriaMetrics image"
    )
    yield ctx.finding(
        target,
        "No Prometheus is running: the cluster records no metrics"
        if not prometheuses
        else f"Prometheus {prometheuses[0].namespace}/{prometheuses[0].name} is defined but has no pods",
        evidence=evidence,
        hint=(
            "Deploy kube-prometheus-stack with a Flux HelmRelease (Prometheus, Alertmanager, node-exporter, "
            "kube-state-metrics) on replicated storage"
            if not prometheuses
            else "Check the prometheus-operator's logs and the StatefulSet it should have created "
            "(`kubectl get statefulsets -A -l app.kubernetes.io/name=prometheus`)"
        ),
    )
