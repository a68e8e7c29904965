from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import one_line
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import admission, events
from homelabctl.k8s.refs import service_endpoints, service_pods, webhooks_in_message, without_ready_endpoint
from homelabctl.kube import pod_display_status
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_EVENTS = 3


def _failed_calls(ctx: CheckContext) -> dict[str, list[Resource]]:
    """Events quoting ``failed calling webhook "<name>"`` (FailedCreate of ReplicaSets, Jobs, ...), per name."""
    found: dict[str, list[Resource]] = defaultdict(list)
    for event in ctx.index.all(kinds.EVENT):
        message = events.event(event).message
        if "failed calling webhook" not in message:
            continue
        for name in webhooks_in_message(message):
            found[name].append(event)
    return found


def _event_line(event: Resource) -> str:
    read = events.event(event)
    kind, namespace, name = read.involved
    return (
        f"event {read.reason or '?'} on {kind or '?'} {namespace or ''}"
        f"{'/' if namespace else ''}{name or '?'} (x{read.count}): "
        f"{one_line(read.message, 300)}"
    )


@check(
    "admission-webhook-unavailable",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    any_of=[kinds.VALIDATING_WEBHOOK, kinds.MUTATING_WEBHOOK],
    uses=[kinds.SERVICE, kinds.ENDPOINT_SLICE, kinds.ENDPOINTS, kinds.POD, kinds.EVENT],
)
def admission_webhook_unavailable(ctx: CheckContext) -> Iterator[Finding]:
    """Admission webhook whose service is missing or has no ready endpoint, or that the API server cannot call.

    Reads every ValidatingWebhookConfiguration and MutatingWebhookConfiguration: for each webhook its
    ``clientConfig.service`` (looked up among the Services, then its EndpointSlices or Endpoints and the
    pods behind it) and ``failurePolicy`` (``Fail`` by default in admissionregistration/v1), plus every
    event quoting ``failed calling webhook "<name>"`` (``FailedCreate`` of ReplicaSets, StatefulSets and
    Jobs). Critical when a failing webhook has ``failurePolicy: Fail`` - the API server then rejects every
    request the webhook matches, so controllers cannot create pods - and a warning for ``Ignore``.

    Why it matters: a dead webhook backend (often the webhook's own Deployment crash-looping, or
    uninstalled while its configuration stayed behind) blocks deployments cluster-wide with messages
    that point at the webhook, not at the workloads that fail.

    Next step: bring the webhook's Deployment back (the evidence names its pods), or, if the component
    was removed, delete the configuration: ``kubectl delete validatingwebhookconfiguration NAME``.
    """
    failed_calls = _failed_calls(ctx) if ctx.readable(kinds.EVENT) else {}
    slices_read, endpoints_read = ctx.readable(kinds.ENDPOINT_SLICE), ctx.readable(kinds.ENDPOINTS)
    for gk in (kinds.VALIDATING_WEBHOOK, kinds.MUTATING_WEBHOOK):
        for config in ctx.index.all(gk):
            evidence: list[str] = []
            failing_policies: list[str] = []
            problems: list[str] = []
            backend = ""
            for hook in admission.webhooks(config):
                name, policy = hook.name, hook.failure_policy
                broken = False
                target = hook.service
                if target is not None and ctx.readable(kinds.SERVICE):
                    svc = ctx.index.get(kinds.SERVICE, target[0], target[1])
                    label = f"Service {target[0]}/{target[1]}"
                    if svc is None:
                        broken = True
                        problems.append(f"{label} does not exist")
                        evidence.append(f"webhook {name} (failurePolicy {policy}) calls {label}: not found")
                    else:
                        state = service_endpoints(
                            ctx.index, svc, slices_read=slices_read, endpoints_read=endpoints_read
                        )
                        if state is not None and without_ready_endpoint(ctx.index, svc, state):
                            broken = True
                            problems.append(f"{label} has no ready endpoint")
                            evidence.append(
                                f"webhook {name} (failurePolicy {policy}) calls {label}: {state.summary()}"
                            )
                            for pod in service_pods(ctx.index, svc)[:2]:
                                top = ctx.index.top_owner(pod)
                                evidence.append(
                                    f"backend pod {pod.namespace}/{pod.name}: {pod_display_status(pod)}"
                                    + (f", owned by {top.ref}" if top is not pod else "")
                                )
                                backend = backend or (str(top.ref) if top is not pod else "")
                calls = failed_calls.get(name, [])
                if calls:
                    broken = True
                    problems.append(f"{sum(events.event(e).count for e in calls)} failed call(s)")
                    evidence.extend(_event_line(e) for e in calls[:MAX_EVENTS])
                if broken:
                    failing_policies.append(policy)
            if not failing_policies:
                continue
            fail = "Fail" in failing_policies
            consequence = (
                "requests it matches are rejected"
                if fail
                else "requests it matches skip it (failurePolicy Ignore)"
            )
            kind_cli = config.kind.lower()
            hint = (
                f"Bring back {backend} (see its pods' state)" if backend else "Restore the webhook's backend"
            )
            hint += (
                f"; if that component was removed, `kubectl delete {kind_cli} {config.name}`; "
                f"`kubectl get {kind_cli} {config.name} -o yaml` shows what it matches"
            )
            yield ctx.finding(
                config,
                f"{config.kind} {config.name} is unavailable ({'; '.join(dict.fromkeys(problems))}): {consequence}",
                evidence=evidence,
                hint=hint,
                severity=Severity.CRITICAL if fail else Severity.WARNING,
            )
