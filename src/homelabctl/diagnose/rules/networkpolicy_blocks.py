"""Cause rule ``networkpolicy-blocks``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import netpol as k8s_netpol
from homelabctl.k8s import selectors as k8s_selectors
from homelabctl.model import Finding, Layer


@cause_rule("networkpolicy-blocks", layer=Layer.NETWORK, rank=0, causes={"networkpolicy-blocks-traffic"})
def networkpolicy_blocks(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A NetworkPolicy isolates Ready pods that others time out on: the policy, not the pods, is the cause.

    The ``isolates`` edge goes from the policy to the Services whose pods it selects for ingress; the
    clients whose errors name those Services (by name or ClusterIP) are linked by their own words.
    A default-deny policy needs an allow rule for each legitimate client (and for DNS egress).
    """
    ns = cause.object.namespace or "default"
    return Explanation(
        set(),
        f"{cause.message}: traffic to Ready pods is dropped by the policy",
        list(cause.evidence),
        [
            NextStep(
                "read what the policy allows", f"kubectl -n {ns} describe networkpolicy {cause.object.name}"
            ),
            NextStep(
                "add an ingress rule for the clients that must reach these pods (namespaceSelector/podSelector): "
                "the pods it isolates",
                _isolated_pods(ctx, cause),
            ),
        ],
    )


def _isolated_pods(ctx: RuleContext, cause: Finding) -> str:
    ns = cause.object.namespace or "default"
    policy = ctx.resource(cause.object)
    raw = k8s_netpol.pod_selector(policy) if policy is not None else None
    labels = k8s_selectors.match_labels(raw)
    if labels and not k8s_selectors.has_expressions(raw):
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        return f"kubectl -n {ns} get pods -l {selector} -o wide"
    return f"kubectl -n {ns} get pods -o wide"
