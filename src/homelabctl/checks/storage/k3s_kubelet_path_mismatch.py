from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import KubeletPaths, kubelet_paths, kubelet_root_of, registered_drivers
from homelabctl.k8s import flux, kubectl, pods
from homelabctl.knowledge.csi import KUBELET_DIR_VALUES, LONGHORN_DRIVER, is_longhorn_image
from homelabctl.kube import K3S_KUBELET_DIR, node_is_k3s
from homelabctl.model import Finding, Layer, Resource, Severity

LONGHORN_CHART = "longhorn"
ROOT_DIR_VALUE = tuple(KUBELET_DIR_VALUES[LONGHORN_DRIVER].split("."))
"""``csi.kubeletRootDir``: the one table the diagnosis reads too (``knowledge.csi``)."""
_FIND_ROOT = "`journalctl -u k3s-agent | grep -o -- '--root-dir=[^ ]*' | tail -1` on a node (no match: /var/lib/kubelet)"
_DO_NOT = "do not uninstall Longhorn or delete its CRDs to fix this (that has cost every volume before)"


def _dig(values: Any, path: tuple[str, ...]) -> str | None:
    for key in path:
        if not isinstance(values, Mapping):
            return None
        values = values.get(key)
    return str(values) if isinstance(values, str | int) and str(values) else None


def _root_dir_setting(ctx: CheckContext, hr: Resource) -> tuple[str, Resource, str] | None:
    """(value, the object that sets it, where) for ``csi.kubeletRootDir``; inline values win over valuesFrom."""
    inline = _dig(flux.values(hr), ROOT_DIR_VALUE)
    if inline:
        return inline, hr, "spec.values.csi.kubeletRootDir"
    found: tuple[str, Resource, str] | None = None
    for ref in flux.values_from(hr):
        if ref.kind != "ConfigMap":
            continue
        cm = ctx.index.get(kinds.CONFIGMAP, hr.namespace, ref.name)
        if cm is None:
            continue
        key = ref.values_key or "values.yaml"
        text = cm.data.get(key)
        if text is None:
            continue
        if ref.target_path:
            if ref.target_path == ".".join(ROOT_DIR_VALUE):
                found = str(text), cm, f"data[{key}] (targetPath {ref.target_path})"
            continue
        import yaml  # only when a HelmRelease takes values from a ConfigMap: not on every start-up

        try:
            parsed = yaml.safe_load(str(text))
        except yaml.YAMLError:
            continue
        value = _dig(parsed, ROOT_DIR_VALUE)
        if value:
            found = value, cm, f"data[{key}] csi.kubeletRootDir"
    return found


def _is_csi(analysis: KubeletPaths) -> bool:
    """CSI node plugins and Longhorn (in its chart's default namespace, or by its images wherever it was
    installed): what an unconfirmed root is checked on (a log shipper is not)."""
    return (
        bool(analysis.drivers)
        or any(
            is_longhorn_image(image) for image in pods.images(kubectl.pod_template_spec(analysis.daemonset))
        )
        or any("plugins_registry" in path or "registration-path" in what for what, path in analysis.paths)
    )


def _is_longhorn(hr: Resource) -> bool:
    return LONGHORN_CHART in (flux.chart_name(hr), flux.chart_ref_name(hr))


@check(
    "k3s-kubelet-path-mismatch",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.NODE],
    any_of=[kinds.DAEMONSET, kinds.HELM_RELEASE, kinds.DEPLOYMENT],
    uses=[kinds.CSI_NODE, kinds.CONFIGMAP],
)
def k3s_kubelet_path_mismatch(ctx: CheckContext) -> Iterator[Finding]:
    """CSI / Longhorn kubelet paths do not match the kubelet root dir on K3s nodes.

    On clusters with K3s nodes, reads the host paths of every DaemonSet (``hostPath`` volumes and
    ``node-driver-registrar``'s ``--kubelet-registration-path``) that point under a kubelet root dir, the
    Longhorn HelmRelease's ``csi.kubeletRootDir`` (inline values or a ``valuesFrom`` ConfigMap), the
    ``KUBELET_ROOT_DIR`` of ``longhorn-driver-deployer``, and which CSI drivers the CSINodes register.

    The root dir in use is taken from evidence first: a CSI driver that is registered on the K3s nodes
    proves the root its DaemonSet uses (registration only works through ``<root>/plugins_registry``).
    Without such proof the K3s path ``/var/lib/rancher/k3s/agent/kubelet`` is expected, as on a default K3s install,
    and only CSI node plugins and Longhorn are held to it (the root really depends on the K3s version and
    ``--kubelet-arg=root-dir``, hence the hint to confirm it on a node). Anything pointing at the other root
    is reported: sockets and volume mounts then land where the kubelet never looks, so the driver never
    registers and no volume mounts.

    Next step: confirm the kubelet's root on a node, set ``csi.kubeletRootDir`` to it in the Longhorn
    HelmRelease, and let the driver deployer recreate the plugin; never delete Longhorn to fix a path.
    """
    nodes = ctx.index.all(kinds.NODE)
    k3s_nodes = {n.name for n in nodes if node_is_k3s(n)}
    if not k3s_nodes:
        return
    registered_on: dict[str, set[str]] = defaultdict(set)
    for csinode in ctx.index.all(kinds.CSI_NODE):
        if csinode.name in k3s_nodes:
            for driver in registered_drivers(csinode):
                registered_on[driver].add(csinode.name)
    analyses: list[KubeletPaths] = [
        a for ds in ctx.index.all(kinds.DAEMONSET) if (a := kubelet_paths(ds)).paths
    ]
    confirmed: dict[str, list[str]] = defaultdict(list)
    for analysis in analyses:
        for driver in sorted(analysis.drivers):
            if registered_on.get(driver) and len(analysis.roots) == 1:
                root = next(iter(analysis.roots))
                ds = analysis.daemonset
                confirmed[root].append(
                    f"{driver} (DaemonSet {ds.namespace}/{ds.name}) is registered on "
                    f"{len(registered_on[driver])} K3s node(s) through {root}"
                )
    if len(confirmed) > 1:
        return  # drivers register through both roots: the host links them, nothing is misplaced
    if confirmed:
        expected, proof = next(iter(confirmed.items()))
        basis = f"kubelet root {expected}: " + "; ".join(proof[:2])
    else:
        expected = K3S_KUBELET_DIR
        basis = f"kubelet root {expected} expected on K3s (no registered CSI driver shows another root)"
    csinodes_known = ctx.readable(kinds.CSI_NODE)

    for analysis in analyses:
        wrong = [(what, path) for what, path in analysis.paths if kubelet_root_of(path) != expected]
        if not wrong or (not confirmed and not _is_csi(analysis)):
            continue
        ds = analysis.daemonset
        evidence = [f"{what}: {path}" for what, path in wrong[:5]]
        for driver in sorted(analysis.drivers):
            if csinodes_known:
                evidence.append(
                    f"{driver} registered on {len(registered_on.get(driver, ()))}/{len(k3s_nodes)} "
                    "K3s node(s) (CSINode)"
                )
            else:
                evidence.append(f"{driver}: CSINodes not in the snapshot, registration not checked")
        evidence.append(basis)
        used = sorted({r for _, p in wrong if (r := kubelet_root_of(p)) is not None})
        yield ctx.finding(
            ds,
            f"DaemonSet {ds.namespace}/{ds.name} uses kubelet paths under {', '.join(used)} but the kubelet on the "
            f"K3s nodes uses {expected}: its CSI socket and mounts land where the kubelet never looks",
            evidence=evidence,
            hint=(
                f"Confirm the kubelet root with {_FIND_ROOT}; set `csi.kubeletRootDir: {expected}` in the Longhorn "
                f"HelmRelease (or the driver's equivalent) and let the plugin DaemonSet be recreated; {_DO_NOT}"
            ),
        )

    reported_release = False
    for hr in ctx.index.all(kinds.HELM_RELEASE):
        if not _is_longhorn(hr):
            continue
        setting = _root_dir_setting(ctx, hr)
        if setting is None:
            continue
        value, holder, where = setting
        if value.rstrip("/") == expected:
            continue
        reported_release = True
        evidence = [f"{holder.kind} {holder.namespace}/{holder.name} {where} = {value}", basis]
        if holder is not hr:
            evidence.append(f"used by HelmRelease {hr.namespace}/{hr.name} valuesFrom")
        yield ctx.finding(
            holder,
            f"Longhorn's csi.kubeletRootDir is {value} but the kubelet on the K3s nodes uses {expected}",
            evidence=evidence,
            hint=(
                f"Confirm with {_FIND_ROOT}, then set `csi.kubeletRootDir: {expected}` in Git and "
                f"`flux reconcile helmrelease -n {hr.namespace} {hr.name}`; {_DO_NOT}"
            ),
        )
    if reported_release:
        return
    for deploy in ctx.index.all(kinds.DEPLOYMENT):
        if deploy.name != "longhorn-driver-deployer":
            continue
        for container in pods.containers(pods.pod_spec(deploy), init=False):
            for env in container.env:
                value = env.value or ""
                if env.name != "KUBELET_ROOT_DIR" or not value or value.rstrip("/") == expected:
                    continue
                yield ctx.finding(
                    deploy,
                    f"longhorn-driver-deployer runs with KUBELET_ROOT_DIR={value} but the kubelet on the K3s "
                    f"nodes uses {expected}",
                    evidence=[f"container {container.name} env KUBELET_ROOT_DIR={value}", basis],
                    hint=(
                        f"Confirm with {_FIND_ROOT}, then set csi.kubeletRootDir={expected} in the Longhorn Helm "
                        f"values (it renders this variable); {_DO_NOT}"
                    ),
                )
