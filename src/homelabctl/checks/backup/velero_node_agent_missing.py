from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import nodes, velero
from homelabctl.k8s import pods as k8s_pods
from homelabctl.model import Finding, Layer, Lifecycle, Resource, Severity

FAILED_PHASES = ("PartiallyFailed", "Failed")
SCHEDULE_LABEL = "velero.io/schedule-name"
MAX_PODS_LISTED = 4


def is_node_agent(daemonset: Resource) -> bool:
    """Velero's file-system backup agent: ``velero node-agent server`` (Velero ≥ 1.10), or the ``restic
    server`` DaemonSet of older releases."""
    for container in k8s_pods.containers(k8s_pods.pod_spec(daemonset), init=False):
        words = (*container.command, *container.args)
        if "velero" in container.image and ("node-agent" in words or "restic" in words) and "server" in words:
            return True
    return False


def _failing_backups(ctx: CheckContext) -> list[Resource]:
    """The newest Backup of each schedule (or of the unscheduled ones), when it ended PartiallyFailed or Failed."""
    newest: dict[str, Resource] = {}
    for backup in ctx.index.all(kinds.VELERO_BACKUP):
        schedule = backup.labels.get(SCHEDULE_LABEL, "")
        started = velero.backup(backup).start_timestamp or backup.creation_timestamp or ""
        kept = newest.get(schedule)
        if kept is None or started > (velero.backup(kept).start_timestamp or kept.creation_timestamp or ""):
            newest[schedule] = backup
    return [b for _, b in sorted(newest.items()) if velero.backup(b).phase in FAILED_PHASES]


def _why_not(daemonset: Resource, node: Resource) -> str:
    spec = k8s_pods.pod_spec(daemonset)
    tolerations = k8s_pods.tolerations(spec)
    for taint in nodes.taints(node):
        if taint.effect in ("NoSchedule", "NoExecute") and not any(
            t.tolerates(taint.key, taint.value, taint.effect) for t in tolerations
        ):
            return f"its taint {taint.text} is not tolerated by the DaemonSet's pod template"
    labels = node.labels
    for key, value in k8s_pods.node_selector(spec).items():
        if labels.get(key) != value:
            return f"the DaemonSet's nodeSelector {key}={value} does not match it"
    return "no node-agent pod runs there"


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
    agents = [ds for ds in ctx.index.all(kinds.DAEMONSET) if is_node_agent(ds)]
    if not agents:
        return
    failing = _failing_backups(ctx)
    for agent in agents:
        covered = {
            k8s_pods.node_name(pod)
            for pod in ctx.index.children(agent, kinds.POD)
            if k8s_pods.phase(pod) == "Running"
        }
        lines: list[str] = []
        for node in ctx.index.all(kinds.NODE):
            if node.name in covered:
                continue
            with_volumes = [
                f"{pod.namespace}/{pod.name} ({', '.join(claims)})"
                for pod in ctx.index.pods_on_node(node.name)
                if k8s_pods.phase(pod) == "Running" and (claims := k8s_pods.claim_names(pod))
            ]
            if with_volumes:
                shown = ", ".join(with_volumes[:MAX_PODS_LISTED])
                more = (
                    f" and {len(with_volumes) - MAX_PODS_LISTED} more"
                    if len(with_volumes) > MAX_PODS_LISTED
                    else ""
                )
                lines.append(
                    f"node {node.name}: {_why_not(agent, node)}; pods with volumes there: {shown}{more}"
                )
        if not lines:
            continue
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
