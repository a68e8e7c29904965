"""Velero's file-system backup agent (the node-agent DaemonSet) and the nodes it does not cover."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import nodes, velero
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s._raw import Obj, mapping, section, strings
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

FAILED_PHASES = ("PartiallyFailed", "Failed")


def is_node_agent(daemonset: Resource) -> bool:
    """Velero's file-system backup agent: ``velero node-agent server`` (Velero ≥ 1.10), or the ``restic
    server`` DaemonSet of older releases."""
    for container in k8s_pods.containers(k8s_pods.pod_spec(daemonset), init=False):
        words = (*container.command, *container.args)
        if "velero" in container.image and ("node-agent" in words or "restic" in words) and "server" in words:
            return True
    return False


class Uncovered(msgspec.Struct, frozen=True):
    """A node with running pods that mount claims, where the agent has no running pod."""

    node: Resource
    why: str
    pods: tuple[tuple[Resource, tuple[str, ...]], ...]
    """(pod, its claim names)."""


def covered_nodes(index: ClusterIndex, agent: Resource) -> set[str]:
    return {
        node
        for pod in index.children(agent, kinds.POD)
        if k8s_pods.phase(pod) == "Running" and (node := k8s_pods.node_name(pod))
    }


def uncovered(index: ClusterIndex, agent: Resource) -> list[Uncovered]:
    covered = covered_nodes(index, agent)
    found = []
    for node in index.all(kinds.NODE):
        if node.name in covered:
            continue
        with_volumes = tuple(
            (pod, tuple(claims))
            for pod in index.pods_on_node(node.name)
            if k8s_pods.phase(pod) == "Running" and (claims := k8s_pods.claim_names(pod))
        )
        if with_volumes:
            found.append(Uncovered(node, _why_not(agent, node), with_volumes))
    return found


def _why_not(daemonset: Resource, node: Resource) -> str:
    spec = k8s_pods.pod_spec(daemonset)
    tolerations = k8s_pods.tolerations(spec)
    for taint in nodes.taints(node):
        if taint.effect in ("NoSchedule", "NoExecute") and not any(
            t.tolerates(taint.key, taint.value, taint.effect) for t in tolerations
        ):
            return f"its taint {taint.text} is not tolerated by the DaemonSet's pod template"
    for key, value in k8s_pods.node_selector(spec).items():
        if node.labels.get(key) != value:
            return f"the DaemonSet's nodeSelector {key}={value} does not match it"
    return "no node-agent pod runs there"


def newest_backups(index: ClusterIndex) -> dict[str, Resource]:
    """The newest Backup of each schedule (key ``""``: the backups no schedule made)."""
    newest: dict[str, Resource] = {}
    for backup in index.all(kinds.VELERO_BACKUP):
        schedule = backup.labels.get(velero.SCHEDULE_LABEL, "")
        kept = newest.get(schedule)
        if kept is None or velero.started(backup) > velero.started(kept):
            newest[schedule] = backup
    return newest


def failing_backups(index: ClusterIndex) -> list[Resource]:
    """The newest Backup of each schedule, when it ended PartiallyFailed or Failed."""
    return [b for _, b in sorted(newest_backups(index).items()) if velero.backup(b).phase in FAILED_PHASES]


def fs_backup_namespaces(schedule: Obj) -> tuple[str, ...] | None:
    """The namespaces a Schedule backs up with file-system backup by default (``spec.template``'s
    ``defaultVolumesToFsBackup`` and ``includedNamespaces``; ``("*",)`` for all); None when it does not
    default to file-system backup."""
    template = mapping(section(schedule, "spec").get("template"))
    if template.get("defaultVolumesToFsBackup") is not True:
        return None
    return strings(template.get("includedNamespaces")) or ("*",)
