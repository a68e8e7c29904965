"""Cause rule ``webhook-backend-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import SELECTS
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import admission
from homelabctl.model import Finding, Layer, ObjectRef


def _backend(ctx: RuleContext, config: ObjectRef) -> ObjectRef | None:
    res = ctx.resource(config)
    if res is None:
        return None
    for hook in admission.webhooks(res):
        if hook.service is None:
            continue
        service = ObjectRef("Service", hook.service[0], hook.service[1])
        for pod in sorted(ctx.graph.members(service, SELECTS)):
            if ctx.failing(pod):
                return ctx.fix_target(pod)
    return None


def _service(ctx: RuleContext, config: ObjectRef) -> ObjectRef | None:
    """The first Service the configuration's webhooks call."""
    res = ctx.resource(config)
    for hook in admission.webhooks(res) if res is not None else ():
        if hook.service is not None:
            return ObjectRef("Service", hook.service[0], hook.service[1])
    return None


@cause_rule("webhook-backend-down", layer=Layer.PLATFORM, rank=0, causes={"admission-webhook-unavailable"})
def webhook_backend_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """An admission webhook with ``failurePolicy: Fail`` whose backend is down blocks every create it matches.

    The controllers whose ``FailedCreate`` events say ``failed calling webhook "<name>"`` are linked to the
    webhook configuration by those words, and those whose creates timed out without naming a webhook
    (``Timeout: request did not complete``) to the fail-closed entries that intercept pod creates — in
    both cases only in the namespaces its ``namespaceSelector`` and for the pods its ``objectSelector``
    match: a create elsewhere never reached it. When the webhook's own Deployment is failing, that Deployment is
    the object to fix; otherwise the configuration is (delete it, or set ``failurePolicy: Ignore``, while
    the backend is restored).
    """
    backend = _backend(ctx, cause.object)
    service = _service(ctx, cause.object)
    steps = [
        NextStep(
            f"see whether Service {service.namespace}/{service.name} of the webhook has endpoints",
            f"kubectl -n {service.namespace} get endpointslices -l kubernetes.io/service-name={service.name}",
        )
        if service is not None
        else NextStep(
            "see which service the webhook calls",
            f"kubectl get {cause.object.kind.lower()} {cause.object.name} -o yaml",
        )
    ]
    if backend is not None:
        steps.insert(
            0,
            NextStep(
                f"bring the webhook backend {backend} back first",
                f"kubectl -n {backend.namespace} rollout status {backend.kind.lower()}/{backend.name}",
            ),
        )
    steps.append(
        NextStep(
            "as a last resort, remove the configuration so creates go through (re-apply it after)",
            f"kubectl delete {cause.object.kind.lower()} {cause.object.name}",
            dangerous=True,
        )
    )
    return Explanation(
        set(),
        f"{cause.message}: creates it matches are rejected until its backend answers",
        list(cause.evidence),
        steps,
        object=backend,
    )
