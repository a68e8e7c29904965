from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import velero, velero_node_agent
from homelabctl.model import Finding, Layer, Lifecycle, Severity

MAX_PODS_LISTED = 4


@check(
    "velero-node-agent-missing",
    layer=Layer.BACKUP,
    severity=Severity.WARNING,
    requires=[kinds.DAEMONSET, kinds.POD, kinds.NODE],
    uses=[kinds.VELERO_BACKUP],
    lifecycle=Lifecycle.PREVIEW,
)
def velero_node_agent_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Velero's node-agent DaemonSet has no running pod on a node where pods with persistent volumes run.

    Finds Velero's file-system backup agent (a DaemonSet running ``velero node-agent server``, or ``restic
    server`` before Velero 1.10), the nodes its pods run on, and the nodes where running pods mount a
    PersistentVolumeClaim but no agent pod runs. Says why the DaemonSet skips the node (a NoSchedule or
    NoExecute taint its pod template does not tolerate, a nodeSelector that does not match). Critical when
    the newest Backup of a schedule ended PartiallyFailed or Failed, a warning otherwise.

    Why it matters: file-system backups (``defaultVolumesToFsBackup``, or the data mover) read a pod's
    volumes through the agent on that pod's node. A DaemonSet that skips a node reports every pod it wants
    as ready, so nothing looks unhealthy, while every backup of the volumes on that node fails ("daemonset
    pod not found in running state in node ...") and ends PartiallyFailed.

    Next step: add the node's taints to the node-agent's tolerations (the Velero chart's
    ``nodeAgent.tolerations``), or widen its nodeSelector; then check the next backup with ``velero backup
    describe --details``.
    """
    agents = [ds for ds in ctx.index.all(kinds.DAEMONSET) if velero_node_agent.is_node_agent(ds)]
    if not agents:
        return
    failing = velero_node_agent.failing_backups(ctx.index)
    for agent in agents:
        lines: list[str] = []
        for gap in velero_node_agent.uncovered(ctx.index, agent):
            listed = [f"{pod.namespace}/{pod.name} ({', '.join(claims)})" for pod, claims in gap.pods]
            shown = ", ".join(listed[:MAX_PODS_LISTED])
            more = f" and {len(listed) - MAX_PODS_LISTED} more" if len(listed) > MAX_PODS_LISTED else ""
            lines.append(f"node {gap.node.name}: {gap.why}; pods with volumes there: {shown}{more}")
        if not lines:
            continue
        covered = velero_node_agent.covered_nodes(ctx.index, agent)
        evidence = [
            *lines,
            f"node-agent pods run on: {', '.join(sorted(n for n in covered if n)) or 'no node'}",
        ]
        for backup in failing:
            status = velero.backup(backup)
            evidence.append(
                f"newest Backup of its schedule: {backup.name} {status.phase} ({status.errors} errors)"
            )
        yield ctx.finding(
            agent,
            f"Velero's node-agent {agent.namespace}/{agent.name} does not run on {len(lines)} node(s) with "
            "persistent volumes: file-system backups of those volumes fail",
            evidence=evidence,
            hint=f"Give the node-agent the tolerations of those nodes (chart value nodeAgent.tolerations): kubectl "
            f"-n {agent.namespace} get daemonset {agent.name} -o jsonpath='{{.spec.template.spec.tolerations}}'",
            severity=Severity.CRITICAL if failing else None,
        )
