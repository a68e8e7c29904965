"""Cause rule ``node-lacks-mount-helper``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import node_refusal_explanation
from homelabctl.k8s import mount_helpers
from homelabctl.model import Finding, Layer


@cause_rule(
    "node-lacks-mount-helper",
    layer=Layer.NODE,
    rank=0,
    causes={"node-mount-helper-missing"},
)
def node_lacks_mount_helper(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node without a network filesystem's client explains the pods whose mounts failed there for want of
    it, and only those: the node's other pods run, and the same volumes mount on other nodes. The rule
    follows the pods the kubelet's mount errors name (their words are the provenance of the ``runs-on``
    edge), then their controllers, Services and routes."""
    node = cause.object.name
    first = NextStep(
        f"see which mount helpers {node} has",
        f"ssh {node} 'ls -l /sbin/mount.*; dpkg -l nfs-common cifs-utils 2>/dev/null | tail -n +6'",
    )
    return node_refusal_explanation(ctx, cause, mount_helpers.refused_by_node(ctx.index), first)
