"""Cause rule ``node-agent-misses-volumes``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import MENTIONS
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, explanation_from
from homelabctl.k8s import velero, velero_node_agent
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("node-agent-misses-volumes", layer=Layer.BACKUP, rank=0, causes={"velero-node-agent-missing"})
def node_agent_misses_volumes(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Velero's node-agent missing from a node explains the schedules whose newest backup ended
    PartiallyFailed while they back up, with file-system backup, a namespace that has pod volumes on that
    node. A schedule without file-system backup by default, or whose namespaces have no volume on an
    uncovered node, is not explained (its failure has another cause: a location, a snapshot class).
    """
    agent = ctx.resource(cause.object)
    if agent is None:
        return None
    exposed: dict[str, str] = {}  # namespace -> the pod and node that make it depend on the missing agent
    for gap in velero_node_agent.uncovered(ctx.index, agent):
        for pod, claims in gap.pods:
            exposed.setdefault(
                pod.namespace or "",
                f"pod {pod.namespace}/{pod.name} ({', '.join(claims)}) on {gap.node.name}",
            )
    newest = velero_node_agent.newest_backups(ctx.index)
    start: set[ObjectRef] = set()
    for schedule in ctx.index.all(kinds.VELERO_SCHEDULE):
        backup = newest.get(schedule.name)
        if backup is None or velero.backup(backup).phase != "PartiallyFailed":
            continue
        namespaces = velero_node_agent.fs_backup_namespaces(schedule)
        if namespaces is None:
            continue
        hit = next((ns for ns in exposed if "*" in namespaces or ns in namespaces), None)
        if hit is None:
            continue
        ctx.graph.add(
            cause.object,
            MENTIONS,
            schedule.ref,
            f"Schedule {schedule.name} backs up namespace {hit} with file-system backup; {exposed[hit]} has no "
            f"node-agent; newest Backup {backup.name} PartiallyFailed",
        )
        start.add(schedule.ref)
    return explanation_from(ctx, cause, start, describe_step(cause.object))
