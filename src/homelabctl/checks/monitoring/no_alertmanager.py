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

ALERTMANAGER_LABELS = ("alertmanager", "vmalertmanager")
ALERTMANAGER_IMAGES = ("prometheus/alertmanager",)


@check(
    "no-alertmanager",
    layer=Layer.MONITORING,
    severity=Severity.WARNING,
    requires=[kinds.POD],
    uses=[kinds.ALERTMANAGER, kinds.HELM_RELEASE],
)
def no_alertmanager(ctx: CheckContext) -> Iterator[Finding]:
    """No Alertmanager is running: alert rules can fire but nobody is notified.

    Looks for pods labelled ``app.kubernetes.io/name=alertmanager`` or running the Alertmanager image and
    counts those that are Running and Ready; quotes the failing pods, ``Alertmanager`` custom resources and
    related HelmReleases when there are some. Prometheus evaluates rules without it, but the alerts go
    nowhere: a node NotReady for three days stays unnoticed.

    Next step: enable Alertmanager in kube-prometheus-stack and configure a receiver (e-mail, Discord,
    ntfy) in ``alertmanager.config``; test it with ``amtool alert add``.
    """
    found = find_pods(ctx.index, ALERTMANAGER_LABELS, ALERTMANAGER_IMAGES)
    if found.running:
        return
    evidence = pod_lines(found.failing)
    evidence.extend(custom_resource_lines(ctx.index, kinds.ALERTMANAGER))
    evidence.extend(related_releases(ctx.index, ("alertmanager", "prometheus-stack")))
    if found.failing:
        first = sorted(found.failing, key=lambda p: (p.namespace or "", p.name))[0]
        yield ctx.finding(
            ctx.index.top_owner(first),
            f"Alertmanager is not running: {len(found.failing)} pod(s), none ready",
            evidence=evidence,
            hint=f"`kubectl describe pod -n {first.namespace} {first.name}` and follow its pod finding",
        )
        return
    evidence.insert(
        0, "no pod labelled app.kubernetes.io/name=alertmanager or running the Alertmanager image"
    )
    yield ctx.finding(
        CLUSTER,
        "No Alertmanager is running: alerts notify nobody",
        evidence=evidence,
        hint="Enable alertmanager in kube-prometheus-stack's values and configure a receiver "
        "(alertmanager.config.receivers), then test with `amtool alert add test`",
    )
