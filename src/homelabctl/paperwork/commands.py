"""Quick reference and verification commands written for this cluster (its gateways, Flux objects, nodes...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from homelabctl import kinds
from homelabctl.kube import node_is_ready
from homelabctl.paperwork.cluster import node_gpus
from homelabctl.sources.base import ClusterState

CommandBlock = tuple[str, list[str]]


def _flux_roots(state: ClusterState) -> list[str]:
    """Kustomizations in flux-system: the ones people reconcile by hand (flux-system itself first)."""
    names = sorted(k.name for k in state.index.all(kinds.FLUX_KUSTOMIZATION) if k.namespace == "flux-system")
    return sorted(names, key=lambda n: (n != "flux-system", n))


def _gateway_namespaces(state: ClusterState) -> list[str]:
    return sorted({g.namespace or "default" for g in state.index.all(kinds.GATEWAY_KIND)})


def _gpu_nodes(state: ClusterState) -> list[str]:
    return sorted(n.name for n in state.index.all(kinds.NODE) if node_gpus(n))


def _root_cause_commands(report: Mapping[str, Any], limit: int = 6) -> list[str]:
    """The first exact command of each root cause (the object named, no placeholder), as `diagnose` shows."""
    from homelabctl.report.next_steps import first_commands

    by_id = {f["id"]: f for f in report.get("findings") or []}
    commands: list[str] = []
    for cause in report.get("root_causes") or []:
        for step in first_commands(cause, by_id, limit=1):
            if step.command and step.command not in commands:
                commands.append(step.command)
    return commands[:limit]


def live_commands(state: ClusterState, report: Mapping[str, Any]) -> list[CommandBlock]:
    """Commands for what is broken right now (they change with the cluster's health, not its structure)."""
    blocks: list[CommandBlock] = []
    down = sorted(n.name for n in state.index.all(kinds.NODE) if not node_is_ready(n))
    for name in down:
        blocks.append(
            (
                f"Node {name} is not Ready",
                [
                    f"kubectl describe node {name}",
                    f"kubectl get pods -A -o wide --field-selector spec.nodeName={name}",
                ],
            )
        )
    causes = _root_cause_commands(report)
    if causes:
        blocks.append(("Current root causes (from homelabctl diagnose)", causes))
    return blocks


def reference_commands(
    state: ClusterState, report: Mapping[str, Any], urls: Sequence[tuple[str, str]]
) -> list[CommandBlock]:
    """The "Common Commands" block of the docs: (comment, commands) groups, only for what this cluster has.

    What is broken now is in :func:`live_commands` (the docs' status block)."""
    blocks: list[CommandBlock] = [("Cluster status", ["kubectl get nodes -o wide", "kubectl top nodes"])]
    if state.index.has(kinds.VELERO_SCHEDULE) or state.index.has(kinds.BACKUP_STORAGE_LOCATION):
        blocks.append(
            ("Check backups", ["velero backup get", "velero schedule get", "velero backup-location get"])
        )
    roots = _flux_roots(state)
    if roots or state.index.has(kinds.HELM_RELEASE):
        flux = ["flux get all -A"]
        flux += [f"flux reconcile kustomization {name} --with-source" for name in roots[:3]]
        flux += ["flux logs --level=error"]
        blocks.append(("Flux operations", flux))
    storage = ["kubectl get pvc -A", "kubectl get storageclass"]
    if state.index.has(kinds.LONGHORN_NODE) or state.index.has(kinds.LONGHORN_VOLUME):
        storage += [
            "kubectl get nodes.longhorn.io -n longhorn-system",
            "kubectl get volumes.longhorn.io -n longhorn-system",
        ]
    blocks.append(("Debug storage", storage))
    gpu_nodes = _gpu_nodes(state)
    if gpu_nodes:
        blocks.append(
            (
                "GPU allocation",
                [f"kubectl describe node {n} | grep -A8 'Allocated resources'" for n in gpu_nodes],
            )
        )
    access = [f"kubectl get gateway -n {ns}" for ns in _gateway_namespaces(state)]
    if state.index.has(kinds.HTTPROUTE):
        access.append("kubectl get httproute -A")
    if access:
        blocks.append(("Service access", access))
    if urls:
        blocks.append(("Admin UIs", [f'echo "{name}: {url}"' for name, url in urls]))
    return blocks


def verification_commands(state: ClusterState, urls: Sequence[str]) -> list[CommandBlock]:
    """The handoff's "Quick Verification Commands": each prints only what is wrong."""
    blocks: list[CommandBlock] = [
        (
            "Cluster health check",
            ["kubectl get nodes -o wide", "kubectl get pods -A | grep -v -E 'Running|Completed'"],
        )
    ]
    if state.index.has(kinds.FLUX_KUSTOMIZATION) or state.index.has(kinds.HELM_RELEASE):
        blocks.append(("GitOps status", ['flux get all -A | grep -v "True"']))
    storage = ["kubectl get pvc -A | grep -v Bound"]
    if state.index.has(kinds.LONGHORN_NODE):
        storage.append("kubectl get nodes.longhorn.io -n longhorn-system")
    blocks.append(("Storage verification", storage))
    if state.index.has(kinds.BACKUP_STORAGE_LOCATION):
        blocks.append(("Backup verification", ["velero backup-location get", "velero backup get | head"]))
    if urls:
        blocks.append(
            (
                "Service access test",
                [f"curl -k -sS -o /dev/null -w '%{{http_code}} {u}\\n' {u}" for u in urls],
            )
        )
    return blocks


def render_blocks(blocks: Sequence[CommandBlock]) -> list[str]:
    lines = ["```bash"]
    for i, (comment, commands) in enumerate(blocks):
        if i:
            lines.append("")
        lines.append(f"# {comment}")
        lines.extend(commands)
    lines.append("```")
    return lines
