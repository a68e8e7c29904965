"""Cause rule ``secret-store-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, explanation_from
from homelabctl.k8s import external_secrets, podrefs
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("secret-store-down", layer=Layer.PLATFORM, rank=0, causes={"secret-store-not-ready"})
def secret_store_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A secret store that is not Ready explains the pods that wait for a Secret one of its ExternalSecrets
    should have written, and only those: pods whose Secret exists run on its last synced values.

    The chain is store → ExternalSecret (``spec.secretStoreRef``) → target Secret (``spec.target.name``) →
    the pods that need that Secret (volumes, ``env[].valueFrom``, ``envFrom``); each link is the edge's
    provenance. From the pods the usual edges reach their controllers, Services and routes.
    """
    store = ctx.resource(cause.object)
    if store is None:
        return None
    start: set[ObjectRef] = set()
    for es, target in external_secrets.unwritten_targets(ctx.index, external_secrets.users(ctx.index, store)):
        for pod in podrefs.pods_needing_secret(ctx.index, es.namespace, target):
            ctx.graph.add(
                cause.object,
                MENTIONS,
                pod.ref,
                f"pod {pod.namespace}/{pod.name} needs Secret {target}, which ExternalSecret {es.namespace}/"
                f"{es.name} should write from {store.kind} {store.name}",
            )
            start |= ctx.workload_start(pod.ref)
    return explanation_from(ctx, cause, start, describe_step(cause.object))
