from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.network._common import (
    NOT_READY_GRACE,
    first_failing_container,
    pod_problem_lines,
    unready_for,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import owner_line
from homelabctl.k8s import pod_lookup
from homelabctl.kube import (
    node_ready_status,
    pod_containers,
    pod_display_status,
    pod_is_finished,
    pod_is_ready,
    pod_node,
)
from homelabctl.model import Finding, Layer, Resource, Severity

CSI_IMAGE_MARKERS = (
    "csi-node-driver-registrar",
    "csi-provisioner",
    "csi-attacher",
    "csi-resizer",
    "csi-snapshotter",
    "nfsplugin",
    "smbplugin",
    "democratic-csi",
    "cephcsi",
    "longhornio/longhorn-manager",
)
LONGHORN_APPS = frozenset(
    {
        "longhorn-manager",
        "longhorn-csi-plugin",
        "longhorn-driver-deployer",
        "csi-attacher",
        "csi-provisioner",
        "csi-resizer",
        "csi-snapshotter",
    }
)
LONGHORN_COMPONENTS = frozenset({"instance-manager", "engine-image"})
_NETWORK_SIGNS = (
    "context deadline exceeded",
    "i/o timeout",
    "no route to host",
    "connection refused",
    "network is unreachable",
)


def is_storage_pod(pod: Resource) -> bool:
    """CSI plugin and controller pods (by their sidecar images) and Longhorn's data-path pods."""
    if (
        pod.labels.get("app") in LONGHORN_APPS
        or pod.labels.get("longhorn.io/component") in LONGHORN_COMPONENTS
    ):
        return True
    return any(
        marker in str(c.get("image") or "") for c in pod_containers(pod.spec) for marker in CSI_IMAGE_MARKERS
    )


@check(
    "csi-driver-pods-failing",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.NODE, kinds.DAEMONSET, kinds.DEPLOYMENT, kinds.REPLICASET],
)
def csi_driver_pods_failing(ctx: CheckContext) -> Iterator[Finding]:
    """CSI driver or Longhorn pod not Ready on a node.

    Reads the pods of storage drivers: CSI node plugins and controllers (recognised by the standard
    sidecars ``csi-node-driver-registrar``, ``csi-provisioner``, ``csi-attacher``... or the NFS/SMB/Ceph
    plugin images) and Longhorn's ``longhorn-manager``, ``longhorn-csi-plugin``, CSI controller,
    instance-manager and engine-image pods. Reports each one not Ready for more than two minutes (pods
    being deleted are left to ``pod-stuck-terminating``), with the failing container's state, its last
    termination message and the node's own state.

    Why it matters: the node plugin is what mounts volumes on its node; the manager and instance managers
    are Longhorn's data path. When they fail on a node, every pod there that needs a volume is stuck in
    ContainerCreating.

    Next step: read the failing container's previous logs; if they show timeouts to other pods or the
    API, check the node's network before the driver.
    """
    # the pods with a storage label or image, looked up (k8s.pod_lookup) rather than each pod tested
    storage_pods = pod_lookup.showing(
        ctx.index, ("app",), LONGHORN_APPS, CSI_IMAGE_MARKERS, init=True
    ) | pod_lookup.showing(ctx.index, ("longhorn.io/component",), LONGHORN_COMPONENTS, ())
    for pod in pod_lookup.in_index_order(ctx.index, storage_pods):
        if pod_is_finished(pod) or pod.deletion_timestamp or pod_is_ready(pod) or not is_storage_pod(pod):
            continue
        age = unready_for(pod, ctx.now)
        if age is not None and age < NOT_READY_GRACE:
            continue
        node_name = pod_node(pod)
        evidence = pod_problem_lines(pod)
        owner = owner_line(ctx.index, pod)
        if owner:
            evidence.append(owner)
        node = ctx.index.get(kinds.NODE, None, node_name) if node_name else None
        if node is not None and node_ready_status(node) != "True":
            evidence.append(f"node {node_name} is Ready={node_ready_status(node)}")
        container = first_failing_container(pod) or "<container>"
        hint = f"`kubectl -n {pod.namespace} logs {pod.name} -c {container} --previous`"
        text = " ".join(evidence).lower()
        if any(sign in text for sign in _NETWORK_SIGNS):
            hint += (
                f"; the errors are network timeouts: check {node_name or 'the node'}'s connectivity and its "
                "CNI agent before the driver (a node network failure often looks like a CSI driver bug)"
            )
        where = f" on node {node_name}" if node_name else " (not scheduled)"
        yield ctx.finding(
            pod,
            f"Storage driver pod {pod.namespace}/{pod.name}{where} is not Ready ({pod_display_status(pod)})",
            evidence=evidence,
            hint=hint,
        )
