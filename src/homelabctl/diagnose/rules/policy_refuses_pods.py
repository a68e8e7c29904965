"""Cause rule ``policy-refuses-pods``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.evidence import snippet
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps
from homelabctl.k8s import admission_denials, refusals
from homelabctl.model import Finding, Layer, ObjectRef, Resource


def _names(ctx: RuleContext, cause: Finding, denial: admission_denials.Denial, namespace: str | None) -> bool:
    """Does this refusal come from the cause's object (the same objects the check names for it)?"""
    targets = admission_denials.refusing_objects(ctx.index, denial, namespace)
    return cause.object in {t.ref if isinstance(t, Resource) else t for t in targets}


@cause_rule("policy-refuses-pods", layer=Layer.SECURITY, rank=0, causes={"admission-policy-refuses-pods"})
def policy_refuses_pods(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """An admission policy that refuses a controller's pods explains that workload's outage.

    As with a namespace's Pod Security level, the refusal exists only in the controller's ``FailedCreate``
    events and ``ReplicaFailure`` condition (no pod is created): the rule links the policy (or the webhook
    configuration) to each controller whose message says the webhook denied it in the policy's name, with
    those words as the edge's provenance; from there the usual edges reach the Deployment, its Services and
    the routes in front of them.
    """
    start: set[ObjectRef] = set()
    for refused in refusals.refused_controllers(ctx.index):
        for message in refused.messages:
            denial = admission_denials.denial(message)
            if denial is None or not _names(ctx, cause, denial, refused.controller.namespace):
                continue
            controller = refused.controller
            ctx.graph.add(
                cause.object,
                MENTIONS,
                controller.ref,
                f'{controller.kind} {controller.namespace}/{controller.name} FailedCreate: "'
                f'{snippet(message, "denied the request")}"',
            )
            start |= {controller.ref, *ctx.workload_start(refused.top.ref)}
            break
    if not start:
        return None
    target = cause.object
    where = f" -n {target.namespace}" if target.namespace else ""
    steps = [
        NextStep(
            "see what the policy requires and how it is enforced",
            f"kubectl get {target.kind.lower()} {target.name}{where} -o yaml",
        ),
        *hint_steps(cause.hint),
        NextStep("list the other objects that do not satisfy it", "kubectl get policyreport -A"),
    ]
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
