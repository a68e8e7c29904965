from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl import kinds
from homelabctl.checks.platform._common import one_line
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s.refs import service_endpoints, service_pods, webhooks_in_message, without_ready_endpoint
from homelabctl.kube import pod_display_status
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_EVENTS = 3


def webhooks(config: Resource) -> list[Mapping[str, Any]]:
    items = config.raw.get("webhooks")
    return [w for w in items if isinstance(w, Mapping)] if isinstance(items, list) else []


def webhook_service(hook: Mapping[str, Any]) -> tuple[str, str] | None:
    """(namespace, name) of the Service a webhook calls; None for a URL webhook."""
    svc = (hook.get("clientConfig") or {}).get("service")
    if isinstance(svc, Mapping) and svc.get("name"):
        return str(svc.get("namespace") or "default"), str(svc["name"])
    return None


def _failed_calls(ctx: CheckContext) -> dict[str, list[Resource]]:
    """Events quoting ``failed calling webhook "<name>"`` (FailedCreate of ReplicaSets, Jobs, ...), per name."""
    found: dict[str, list[Resource]] = defaultdict(list)
    for event in ctx.index.all(kinds.EVENT):
        message = str(event.raw.get("message") or event.raw.get("note") or "")
        if "failed calling webhook" not in message:
            continue
        for name in webhooks_in_message(message):
            found[name].append(event)
    return found


def _event_line(event: Resource) -> str:
    raw = event.raw
    involved = raw.get("involvedObject") or raw.get("regarding") or {}
    return (
        f"event {raw.get('reason', '?')} on {involved.get('kind', '?')} {involved.get('namespace') or ''}"
        f"{'/' if involved.get('namespace') else ''}{involved.get('name', '?')} (x{raw.get('count') or 1}): "
        f"{one_line(raw.get('message') or raw.get('note'), 300)}"
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
            for hook in webhooks(config):
                name = str(hook.get("name") or "?")
                policy = str(hook.get("failurePolicy") or "Fail")
                broken = False
                target = webhook_service(hook)
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
                events = failed_calls.get(name, [])
                if events:
                    broken = True
                    problems.append(f"{sum(int(e.raw.get('count') or 1) for e in events)} failed call(s)")
                    evidence.extend(_event_line(e) for e in events[:MAX_EVENTS])
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
