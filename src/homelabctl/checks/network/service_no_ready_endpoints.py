from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.network._common import pod_problem_lines
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import owner_line
from homelabctl.k8s import services
from homelabctl.k8s.refs import (
    scaled_to_zero,
    selects_pods,
    service_endpoints,
    service_pods,
    without_ready_endpoint,
)
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time

NEW_SERVICE_GRACE = timedelta(minutes=2)
"""A Service this young may not have had its first pod become Ready yet."""
MAX_PODS_SHOWN = 3


@check(
    "service-no-ready-endpoints",
    layer=Layer.NETWORK,
    severity=Severity.WARNING,
    requires=[kinds.SERVICE],
    any_of=[kinds.ENDPOINT_SLICE, kinds.ENDPOINTS],
    uses=[kinds.POD],
)
def service_no_ready_endpoints(ctx: CheckContext) -> Iterator[Finding]:
    """Service has no ready endpoint: every connection to it fails.

    Reads each Service with a selector (ExternalName Services and Services without a selector, whose
    endpoints are managed by hand, are skipped), its EndpointSlices (label ``kubernetes.io/service-name``)
    or, when EndpointSlices were not read, its Endpoints object, and the pods its selector matches. Fires
    when no address is ready: either no pod matches the selector (a typo, or the workload is scaled to
    zero or gone) or every matching pod fails its readiness probe, crashes or cannot start; a workload
    deliberately scaled to ``replicas: 0`` (or a DaemonSet that targets no node) makes it info only. The evidence
    counts ready and not-ready addresses and quotes why each backing pod is not Ready. Not evaluated when
    neither EndpointSlices nor Endpoints were read.

    Why it matters: clients see ``connection refused`` or time out, and a Route or Ingress in front of it
    answers 503; the failing pods are the cause, the Service only where it shows.

    Next step: ``kubectl -n NS get endpointslices -l kubernetes.io/service-name=SVC`` and the pods of the
    selector (``kubectl -n NS get pods -l <selector>``); fix why they are not Ready.
    """
    slices_read, endpoints_read = ctx.readable(kinds.ENDPOINT_SLICE), ctx.readable(kinds.ENDPOINTS)
    for svc in ctx.index.all(kinds.SERVICE):
        if not selects_pods(svc):
            continue
        created = parse_time(svc.creation_timestamp)
        if created is not None and ctx.now - created < NEW_SERVICE_GRACE:
            continue
        state = service_endpoints(ctx.index, svc, slices_read=slices_read, endpoints_read=endpoints_read)
        if state is None or not without_ready_endpoint(ctx.index, svc, state):
            continue
        selector = ",".join(f"{k}={v}" for k, v in services.selector_labels(svc).items())
        evidence = [state.summary(), f"selector {selector}"]
        pods = service_pods(ctx.index, svc) if ctx.readable(kinds.POD) else []
        idle = scaled_to_zero(ctx.index, svc) if not pods else None
        if idle is not None:
            evidence.append(f"{idle.kind} {idle.namespace}/{idle.name} has spec.replicas=0")
            why = f"its {idle.kind} {idle.namespace}/{idle.name} is scaled to 0"
        elif ctx.readable(kinds.POD) and not pods:
            evidence.append("no live pod matches the selector")
            why = "no pod matches its selector"
        elif state.portless and not state.not_ready:
            why = f"its {len(state.portless)} Ready address(es) are listed with none of its ports"
        else:
            why = f"none of its {len(pods)} pod(s) is Ready" if pods else "no address is ready"
        for pod in pods[:MAX_PODS_SHOWN]:
            evidence.extend(pod_problem_lines(pod, limit=2))
        if pods:
            owner = owner_line(ctx.index, pods[0])
            if owner:
                evidence.append(f"pods {owner}")
        if len(pods) > MAX_PODS_SHOWN:
            evidence.append(f"… and {len(pods) - MAX_PODS_SHOWN} more pods")
        yield ctx.finding(
            svc,
            f"Service {svc.namespace}/{svc.name} has no ready endpoint: {why}",
            evidence=evidence,
            severity=Severity.INFO if idle is not None else None,
            hint=(
                f"`kubectl -n {svc.namespace} get endpointslices -l kubernetes.io/service-name={svc.name}` and "
                f"`kubectl -n {svc.namespace} get pods -l {selector}`; fix why those pods are not Ready"
                + ("" if pods else " or the selector")
            ),
        )
