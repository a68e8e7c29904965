"""Kubelet root dirs, CSI drivers and the provisioners that are not CSI."""

from __future__ import annotations

K3S_KUBELET_DIR = "/var/lib/rancher/k3s/agent/kubelet"
STANDARD_KUBELET_DIR = "/var/lib/kubelet"
KUBELET_ROOTS = (K3S_KUBELET_DIR, STANDARD_KUBELET_DIR)

LOCAL_PATH_PROVISIONER = "rancher.io/local-path"
"""K3s's built-in ``local-path`` class: a directory on one node's disk."""
NODE_LOCAL_CLASS_NAMES = ("local-path", "local-storage", "openebs-hostpath")
"""StorageClass names that are node-local by convention, for a repository that does not define them."""
NON_CSI_PROVISIONERS = frozenset(
    {
        LOCAL_PATH_PROVISIONER,
        "kubernetes.io/no-provisioner",
        "k8s.io/minikube-hostpath",
        "microk8s.io/hostpath",
        "openebs.io/local",
    }
)
PROVISIONER_DEPLOYMENTS: dict[str, str] = {
    LOCAL_PATH_PROVISIONER: "local-path-provisioner",
    "openebs.io/local": "localpv-provisioner",
    "microk8s.io/hostpath": "hostpath-provisioner",
}
"""Dynamic provisioners that are not CSI drivers, and what the Deployment that runs each is named (a part of
the name: charts prefix their release). While it is down, no claim of its classes gets a volume."""


def provisioners_run_by(deployment: str) -> tuple[str, ...]:
    """The provisioners a Deployment of this name runs, per :data:`PROVISIONER_DEPLOYMENTS`."""
    return tuple(p for p, name in PROVISIONER_DEPLOYMENTS.items() if name in deployment)


LONGHORN_DRIVER = "driver.longhorn.io"


def is_longhorn_image(image: str) -> bool:
    """One of Longhorn's own images (``longhornio/longhorn-manager``, also behind a registry or a mirror:
    ``docker.io/longhornio/...``). Its chart and manifests install into any namespace: the images, not
    ``longhorn-system``, say a workload is Longhorn's."""
    return image.startswith("longhornio/") or "/longhornio/" in image


KNOWN_CSI_DRIVERS = frozenset({LONGHORN_DRIVER, "topolvm.io", "driver.harvesterhci.io"})
"""CSI drivers whose names do not contain "csi"."""


def kubelet_root_of(path: str) -> str | None:
    """Which kubelet root dir (K3s or standard) a host path lives under, if any."""
    clean = path.rstrip("/") or "/"
    for root in KUBELET_ROOTS:
        if clean == root or clean.startswith(root + "/"):
            return root
    return None


KUBELET_DIR_VALUES = {
    "driver.longhorn.io": "csi.kubeletRootDir",
    "nfs.csi.k8s.io": "kubeletDir",
    "smb.csi.k8s.io": "kubeletDir",
    "rook-ceph.rbd.csi.ceph.com": "csi.kubeletDirPath",
    "rook-ceph.cephfs.csi.ceph.com": "csi.kubeletDirPath",
}
"""The chart value that sets the kubelet root dir of a CSI driver's node plugin, per driver."""
