"""Cause rule ``secret-generator-fails``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, explanation_from
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("secret-generator-fails", layer=Layer.PLATFORM, rank=0, causes={"secret-generator-failing"})
def secret_generator_fails(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A SealedSecret that cannot be decrypted, or an ExternalSecret that cannot sync while its store is Ready,
    explains the pods waiting for the Secret it should have written, and only those. The chain is generator →
    the pods that need its Secret (volumes, ``env[].valueFrom``, ``envFrom``; the edge's provenance); from the
    pods the usual edges reach their controllers, Services and routes."""
    from homelabctl.k8s import secret_generators  # only when the check fired: not imported on every run

    start: set[ObjectRef] = set()
    for unwritten in secret_generators.unwritten_secrets(ctx.index):
        if unwritten.generator != cause.object:
            continue
        for pod in secret_generators.pods_waiting(ctx.index, unwritten):
            ctx.graph.add(
                cause.object,
                MENTIONS,
                pod.ref,
                f"pod {pod.namespace}/{pod.name} needs Secret {unwritten.secret}, which {cause.object.kind} "
                f"{cause.object.namespace}/{cause.object.name} should write ({unwritten.condition})",
            )
            start |= ctx.workload_start(pod.ref)
    return explanation_from(ctx, cause, start, describe_step(cause.object))
