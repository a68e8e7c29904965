"""Cause rule ``kubelet-path-breaks-csi``."""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import (
    Manager,
    csi_accepts,
    csi_failure_scope,
    csi_plugin_daemonset,
    manager_of,
)
from homelabctl.knowledge import csi
from homelabctl.kube import K3S_KUBELET_DIR
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer

_RECONCILE = LazyPattern(r"^flux reconcile helmrelease (\S+) -n (\S+) ")


def _values_steps(ctx: RuleContext, cause: Finding, driver: str) -> list[NextStep]:
    """The value as the HelmRelease sets it now, then the change and the reconcile."""
    step = _values_step(ctx, cause, driver)
    match = _RECONCILE.match(step.command or "")
    key = csi.KUBELET_DIR_VALUES.get(driver)
    if match is None or key is None:
        return [step]
    name, ns = match.group(1), match.group(2)
    return [
        NextStep(
            f"see the kubelet root dir HelmRelease {ns}/{name} sets now ({key})",
            f"kubectl -n {ns} get helmrelease {name} -o jsonpath='{{.spec.values.{key}}}'",
        ),
        step,
    ]


def _values_step(ctx: RuleContext, cause: Finding, driver: str) -> NextStep:
    """Set the kubelet root dir where the plugin DaemonSet is rendered from: the HelmRelease (found from the
    finding, or from the Flux/Helm labels of the DaemonSet and whatever manages it), else the DaemonSet."""
    res = ctx.resource(cause.object)
    manager: Manager | None = None
    if res is not None and res.kind == "HelmRelease":
        manager = Manager("HelmRelease", res.namespace or "", res.name)
    else:
        plugin = (
            res if res is not None and res.kind == "DaemonSet" else csi_plugin_daemonset(ctx.index, driver)
        )
        manager = manager_of(ctx.index, plugin) if plugin is not None else None
        if manager is None and plugin is not None:
            return NextStep(
                f"set the kubelet paths of DaemonSet {plugin.namespace}/{plugin.name} (hostPaths and "
                f"--kubelet-registration-path) to {K3S_KUBELET_DIR}, in the manifests it comes from",
                f"kubectl -n {plugin.namespace} edit daemonset {plugin.name}",
            )
    key = csi.KUBELET_DIR_VALUES.get(driver, "the chart's kubelet dir value")
    if manager is None:
        return NextStep(
            f"set {key} to {K3S_KUBELET_DIR} where the {driver} chart is installed, then confirm",
            "kubectl get daemonsets -A -o wide",
        )
    if manager.reconcile is None:
        return NextStep(
            f"set {key}: {K3S_KUBELET_DIR} in the values of {manager} and upgrade it",
            f"helm get values {manager.name} -n {manager.namespace}",
        )
    return NextStep(
        f"set {key}: {K3S_KUBELET_DIR} in the values of {manager} (in Git) and reconcile", manager.reconcile
    )


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
        evidence.append(
            f"{unregistered}/{len(ctx.index.all(kinds.NODE))} nodes report no {driver} registration"
        )
    return Explanation(
        impacted,
        f"{cause.message}: the CSI driver cannot register on any K3s node, so every volume mount fails",
        evidence,
        [
            *_values_steps(ctx, cause, driver),
            NextStep(
                "confirm registration on every node",
                "kubectl get csinode -o custom-columns=NODE:.metadata.name,DRIVERS:.spec.drivers[*].name",
            ),
            NextStep(
                "never change the kubelet path without a storage migration plan and a tested Velero backup"
            ),
        ],
        accepts=csi_accepts,
    )
