"""Cause rule ``csi-unregistered-everywhere``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import (
    csi_accepts,
    csi_failure_scope,
    csi_plugin_daemonset,
    daemon_pod_on_node,
)
from homelabctl.k8s import storage
from homelabctl.kube import pod_containers
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer, Resource

_DRIVER_IN_MESSAGE = LazyPattern(r"(?:CSI driver|driver name) ([a-z0-9][a-z0-9.-]*[a-z0-9])")


@cause_rule("csi-unregistered-everywhere", layer=Layer.STORAGE, rank=1, causes={"csi-driver-not-registered"})
def csi_unregistered_everywhere(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A CSI driver is missing from every node's CSINode: one cause, not one failure per node.

    Applies to the finding on a StorageClass whose driver no node registers (the check reports that case
    once, there), or when the per-node findings cover every node (on one node, the node itself is the
    usual cause). Mount failures, pending PVCs and crashing plugin pods of that storage are grouped under
    it; the next step names the plugin DaemonSet that should register the driver, or says none exists.
    """
    unregistered = ctx.by_check.get("csi-driver-not-registered", [])
    nodes = ctx.index.all(kinds.NODE)
    nowhere = cause.object.kind == "StorageClass"
    if not nowhere and (len(nodes) < 2 or len({f.object.name for f in unregistered}) < len(nodes)):
        return None
    if nowhere:
        unregistered = [cause]
    driver = _driver(ctx, unregistered)
    plugin = csi_plugin_daemonset(ctx.index, driver) if driver else None
    namespace = plugin.namespace if plugin is not None and plugin.namespace else None
    impacted = csi_failure_scope(ctx, driver or "", namespace or "")
    return Explanation(
        impacted,
        f"The CSI driver{f' {driver}' if driver else ''} is registered on no node: check the plugin DaemonSet, "
        "its hostPaths and the kubelet root dir",
        [
            *cause.evidence,
            f"{len(nodes) if nowhere else len(unregistered)}/{len(nodes)} nodes lack the driver",
        ],
        registrar_steps(ctx, driver, plugin, cause.object.name if cause.object.kind == "Node" else None),
        confidence="medium",
        accepts=csi_accepts,
    )


def _driver(ctx: RuleContext, unregistered: list[Finding]) -> str | None:
    """The driver the findings are about: a StorageClass's provisioner, else the name in the message."""
    for finding in unregistered:
        res = ctx.resource(finding.object)
        if res is not None and res.kind == "StorageClass" and storage.provisioner(res):
            return storage.provisioner(res)
        match = _DRIVER_IN_MESSAGE.search(" ".join((finding.message, *finding.evidence)))
        if match:
            return match.group(1)
    return None


def registrar_steps(
    ctx: RuleContext, driver: str | None, plugin: Resource | None, node: str | None
) -> list[NextStep]:
    """Read the node-driver-registrar of the driver's node plugin, on the node the finding is about."""
    if plugin is None:
        return [
            NextStep(
                f"find the node plugin DaemonSet of {driver or 'the CSI driver'}: none in the snapshot "
                "mounts its socket directory",
                "kubectl get daemonsets -A -o wide",
            )
        ]
    nodes = [node] if node else sorted(n.name for n in ctx.index.all(kinds.NODE))
    for name in nodes:
        pod = daemon_pod_on_node(ctx.index, plugin, name)
        if pod is not None:
            registrar = next(
                (
                    str(c.get("name"))
                    for c in pod_containers(pod.spec, init=False)
                    if "registrar" in str(c.get("name") or "") or "registrar" in str(c.get("image") or "")
                ),
                None,
            )
            container = f" -c {registrar}" if registrar else ""
            return [
                NextStep(
                    f"read the registrar of {driver} on {name} (pod {pod.namespace}/{pod.name} of "
                    f"DaemonSet {plugin.namespace}/{plugin.name})",
                    f"kubectl -n {pod.namespace} logs {pod.name}{container} --tail=50",
                )
            ]
    return [
        NextStep(
            f"DaemonSet {plugin.namespace}/{plugin.name} registers {driver} but runs no pod: read why",
            f"kubectl -n {plugin.namespace} describe daemonset {plugin.name}",
        )
    ]
