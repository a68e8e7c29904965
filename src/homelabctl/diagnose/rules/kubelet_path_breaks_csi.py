"""Cause rule ``kubelet-path-breaks-csi``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import csi_accepts, csi_failure_scope
from homelabctl.model import Finding, Layer


@cause_rule("kubelet-path-breaks-csi", layer=Layer.STORAGE, rank=0, causes={"k3s-kubelet-path-mismatch"})
def kubelet_path_breaks_csi(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """The CSI plugin looks for the kubelet in the wrong directory: no node can mount its volumes.

    K3s runs the kubelet under ``/var/lib/rancher/k3s/agent/kubelet``. When Longhorn's
    ``csi.kubeletRootDir`` or the CSI DaemonSet's hostPaths say ``/var/lib/kubelet``, the plugin never
    registers: CSINode objects on every node lack the driver and every mount fails. Those findings —
    on all nodes at once, which is what tells this apart from one node's failure — are grouped here.
    Known case: a Longhorn CSI complete failure (24-hour outage, every volume lost).
    """
    driver = "driver.longhorn.io"
    same = [f.object for f in ctx.by_check.get(cause.check, [])]
    if cause.object.kind != "HelmRelease" and any(ref.kind == "HelmRelease" for ref in same):
        return None  # the DaemonSet is rendered from the HelmRelease's values: fix the values
    impacted = csi_failure_scope(ctx, driver, cause.object.namespace or "longhorn-system") | set(same)
    unregistered = len(ctx.by_check.get("csi-driver-not-registered", []))
    evidence = [*cause.evidence]
    if unregistered:
        evidence.append(f"{unregistered}/{len(ctx.index.all(kinds.NODE))} nodes report no {driver} registration")
    return Explanation(
        impacted,
        f"{cause.message}: the CSI driver cannot register on any K3s node, so every volume mount fails",
        evidence,
        [NextStep("set the kubelet root dir back to the K3s path in the Longhorn values and reconcile",
                  "flux reconcile helmrelease longhorn -n longhorn-system --with-source"),
         NextStep("confirm registration on every node", "kubectl get csinode -o custom-columns=NODE:.metadata.name,DRIVERS:.spec.drivers[*].name"),
         NextStep("never change the kubelet path without a storage migration plan and a tested Velero backup")],
        accepts=csi_accepts)
