from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.node._common import (
    CONDITION_TAINTS,
    condition_since,
    taint_added,
    taint_line,
    taint_text,
    taints,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions
from homelabctl.kube import node_ready_status, pod_is_finished
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import short_duration

READY_GRACE = timedelta(minutes=5)
"""The node lifecycle controller lifts these taints seconds after Ready; past this, nothing will."""
STALE_TAINT_AGE = timedelta(hours=1)
"""Pods tolerate unreachable/not-ready for 300s by default: an hour means every evictable pod is gone."""
_EFFECTS = ("NoExecute", "NoSchedule")


@check(
    "node-unreachable-taint",
    layer=Layer.NODE,
    severity=Severity.WARNING,
    requires=[kinds.NODE],
    uses=[kinds.POD],
)
def node_unreachable_taint(ctx: CheckContext) -> Iterator[Finding]:
    """Unreachable/not-ready taint left on a Ready node, or held for hours on a dead one.

    Reads the node's ``node.kubernetes.io/unreachable`` and ``node.kubernetes.io/not-ready`` taints
    (``NoExecute``/``NoSchedule``, with ``timeAdded``), its ``Ready`` condition and the pods still bound to it.

    Two cases, both distinct from ``node-not-ready`` (which reports the node's state itself):

    - the node is **Ready again** (for more than 5 minutes) and still carries the taint: the node lifecycle
      controller normally lifts it within seconds, so either it was added by hand or the controller (the
      K3s server) is not running its loop; the scheduler keeps avoiding a healthy node;
    - the node is down and the ``NoExecute`` taint is **older than an hour**: every pod without a matching
      toleration has been evicted, and the evicted pods stay ``Terminating`` because no kubelet confirms
      the deletion.

    Next step: for a Ready node, remove the taint (``kubectl taint node <node> <key>:<effect>-``) and look
    at the K3s server's controller logs; for a dead node, bring the kubelet back or drain and delete the
    Node object so the pod garbage collector frees its pods.
    """
    for node in ctx.index.all(kinds.NODE):
        found = [t for t in taints(node) if t.key in CONDITION_TAINTS and t.effect in _EFFECTS]
        if not found:
            continue
        ready = node_ready_status(node)
        cond = conditions.condition(node, "Ready") or conditions.Condition("Ready", "")
        ready_for = condition_since(cond, ctx.now)
        if ready == "True":
            if ready_for is not None and ready_for < READY_GRACE:
                continue
            since = f" (Ready for {short_duration(ready_for)})" if ready_for is not None else ""
            yield ctx.finding(
                node,
                f"Node {node.name} is Ready{since} but still carries {', '.join(taint_text(t) for t in found)}",
                evidence=[
                    *(taint_line(t, ctx.now) for t in found),
                    f"Ready=True since {cond.last_transition_time or '?'}: {cond.message}".rstrip(": "),
                    "the node lifecycle controller lifts these taints once the node reports Ready",
                ],
                hint=(
                    " && ".join(f"`kubectl taint node {node.name} {t.key}:{t.effect}-`" for t in found)
                    + "; if it comes back, read the K3s server's controller-manager logs (`journalctl -u k3s`)"
                ),
            )
            continue
        stale = [
            t
            for t in found
            if t.effect == "NoExecute"
            and (added := taint_added(t)) is not None
            and ctx.now - added >= STALE_TAINT_AGE
        ]
        if not stale:
            continue
        oldest = min(added for t in stale if (added := taint_added(t)) is not None)
        bound = [p for p in ctx.index.pods_on_node(node.name) if not pod_is_finished(p)]
        terminating = [p for p in bound if p.deletion_timestamp]
        evidence = [taint_line(t, ctx.now) for t in stale]
        evidence.append(f"Ready={ready} reason={cond.reason or '?'} since {cond.last_transition_time or '?'}")
        if bound:
            evidence.append(
                f"{len(bound)} pod(s) still bound to the node, {len(terminating)} of them Terminating "
                "(evicted, waiting for a kubelet that does not answer)"
            )
        yield ctx.finding(
            node,
            f"Node {node.name} has carried {', '.join(taint_text(t) for t in stale)} for "
            f"{short_duration(ctx.now - oldest)}: its evictable pods are gone and their deletions cannot complete",
            evidence=evidence,
            hint=(
                f"Restore the kubelet on {node.name} (`systemctl restart k3s-agent`), or if the machine is "
                f"gone: `kubectl drain {node.name} --ignore-daemonsets --delete-emptydir-data --force` then "
                f"`kubectl delete node {node.name}` so the pod garbage collector removes its Terminating pods"
            ),
        )
