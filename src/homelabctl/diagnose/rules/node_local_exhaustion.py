"""Cause rule ``node-local-exhaustion``."""

from __future__ import annotations

from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import hint_steps, link_pods_refused_on_node
from homelabctl.k8s import exhaustion
from homelabctl.model import Finding, Layer


@cause_rule(
    "node-local-exhaustion",
    layer=Layer.NODE,
    rank=0,
    causes={"node-resource-exhausted", "node-pod-ips-exhausted"},
)
def node_local_exhaustion(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node that ran out of a resource (inotify instances, file descriptors, disk, pod IPs) explains the
    workloads that fail on it there, and only those.

    The node's other pods run, so the node is not failing as a whole: the rule does not follow every pod
    the node runs, only the pods whose own words name the exhausted resource (with those words as the
    provenance of the ``runs-on`` edge), and from them their controllers, Services and routes.
    """
    node = cause.object.name
    found = exhaustion.node_local_pods(ctx.index)  # read once per run: the checks asked already
    start = link_pods_refused_on_node(
        ctx,
        cause,
        ((item.pod.ref, item.line) for (where, _), items in found.items() if where == node for item in items),
    )
    if not start:
        return None
    steps = hint_steps(cause.hint)
    steps.insert(
        0,
        NextStep(
            f"list what runs on {node}", f"kubectl get pods -A -o wide --field-selector spec.nodeName={node}"
        ),
    )
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
