"""Cause rule ``namespace-refuses-pods``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.evidence import snippet
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import refusals
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("namespace-refuses-pods", layer=Layer.WORKLOAD, rank=0, causes={"pod-security-refused"})
def namespace_refuses_pods(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A namespace whose Pod Security level refuses a controller's pods explains that workload's outage.

    The refusal exists only in the controller's ``FailedCreate`` events and ``ReplicaFailure`` condition
    (no pod is ever created), so the rule links the Namespace to each controller whose message says
    ``violates PodSecurity``, with those words as the edge's provenance; from there the usual edges reach the
    Deployment, its Services and the routes in front of them. The object to change is the Namespace's
    ``pod-security.kubernetes.io/enforce`` label, or the pod spec the message names.
    """
    namespace = cause.object.name
    start: set[ObjectRef] = set()
    fields: list[str] = []
    for refused in refusals.refused_controllers(ctx.index, namespace):
        message = next((m for m in refused.messages if refusals.pod_security_refusal(m)), None)
        if message is None:
            continue
        where = f"{refused.controller.kind} {namespace}/{refused.controller.name} FailedCreate"
        ctx.graph.add(
            cause.object,
            MENTIONS,
            refused.controller.ref,
            f'{where}: "{snippet(message, "violates PodSecurity")}"',
        )
        start |= {refused.controller.ref, *ctx.workload_start(refused.top.ref)}
        parsed = refusals.pod_security_refusal(message)
        if parsed is not None:
            top = refused.top
            fields.append(f"{top.kind} {top.namespace}/{top.name}: {parsed.violations}")
    if not start:
        return None
    impacted = ctx.propagate(start, GENERIC_EDGES)
    return Explanation(
        impacted,
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                "see what the namespace enforces and which workloads it refuses",
                f"kubectl get namespace {namespace} --show-labels",
            ),
            NextStep(
                "change the pod spec so it no longer needs what the refusal lists ("
                + "; ".join(fields[:3])
                + "), or",
                None,
            ),
            NextStep(
                "relax the namespace's Pod Security level (or move the workload to a namespace meant for "
                "privileged pods)",
                f"kubectl label namespace {namespace} {refusals.ENFORCE_LABEL}=privileged --overwrite",
                dangerous=True,
            ),
        ],
    )
