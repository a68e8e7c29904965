from __future__ import annotations

from factories import node
from factories_infra import (
    configmap,
    csi_node,
    daemonset,
    driver_deployer,
    helm_release,
    longhorn_csi_plugin,
)
from helpers import findings, run_one

STANDARD = "/var/lib/kubelet"
K3S = "/var/lib/rancher/k3s/agent/kubelet"
NODES = ("k3s-master1", "k3s1", "k3s2", "k3s3")


def _nodes() -> list[dict[str, object]]:
    return [node("k3s-master1", control_plane=True), *(node(n) for n in NODES[1:])]


def test_fires_on_seed_incident_plugin_and_release_switched_to_standard_path() -> None:
    release = helm_release(
        "longhorn",
        "longhorn-system",
        "longhorn",
        values={"csi": {"kubeletRootDir": STANDARD}, "persistence": {"defaultClass": True}},
    )
    objs = [
        *_nodes(),
        longhorn_csi_plugin(STANDARD, desired=4),
        release,
        driver_deployer(STANDARD),
        *(csi_node(n, []) for n in NODES),
    ]
    found = findings("k3s-kubelet-path-mismatch", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [
        ("DaemonSet", "longhorn-csi-plugin"),
        ("HelmRelease", "longhorn"),
    ]
    ds, hr = found
    assert ds.message == (
        "DaemonSet longhorn-system/longhorn-csi-plugin uses kubelet paths under /var/lib/kubelet but "
        f"the kubelet on the K3s nodes uses {K3S}: its CSI socket and mounts land where the kubelet "
        "never looks"
    )
    assert "hostPath volume registration-dir: /var/lib/kubelet/plugins_registry" in ds.evidence
    assert (
        "container node-driver-registrar --kubelet-registration-path: "
        "/var/lib/kubelet/plugins/driver.longhorn.io/csi.sock"
    ) in ds.evidence
    assert "driver.longhorn.io registered on 0/4 K3s node(s) (CSINode)" in ds.evidence
    assert f"csi.kubeletRootDir: {K3S}" in ds.hint and "do not uninstall Longhorn" in ds.hint
    assert (
        hr.message
        == f"Longhorn's csi.kubeletRootDir is {STANDARD} but the kubelet on the K3s nodes uses {K3S}"
    )
    assert f"HelmRelease longhorn-system/longhorn spec.values.csi.kubeletRootDir = {STANDARD}" in hr.evidence
    assert all(f.severity.value == "critical" for f in found)


def test_value_from_a_configmap_is_reported_on_the_configmap() -> None:
    values = configmap(
        "longhorn-values",
        "longhorn-system",
        {"values.yaml": f"csi:\n  kubeletRootDir: {STANDARD}\ndefaultSettings:\n  defaultReplicaCount: 2\n"},
    )
    release = helm_release(
        "longhorn",
        "longhorn-system",
        "longhorn",
        values_from=[{"kind": "ConfigMap", "name": "longhorn-values"}],
    )
    found = findings("k3s-kubelet-path-mismatch", [*_nodes(), release, values])
    assert [(f.object.kind, f.object.name) for f in found] == [("ConfigMap", "longhorn-values")]
    assert "used by HelmRelease longhorn-system/longhorn valuesFrom" in found[0].evidence


def test_deployer_env_is_reported_when_no_release_sets_it() -> None:
    found = findings("k3s-kubelet-path-mismatch", [*_nodes(), driver_deployer(STANDARD)])
    assert [(f.object.kind, f.object.name) for f in found] == [("Deployment", "longhorn-driver-deployer")]


def test_a_registered_driver_proves_the_root_in_use() -> None:
    # Modern K3s with the standard root: Longhorn registers through /var/lib/kubelet, nothing is wrong.
    objs = [
        *_nodes(),
        longhorn_csi_plugin(STANDARD, desired=4),
        helm_release("longhorn", "longhorn-system", "longhorn", values={"csi": {"kubeletRootDir": STANDARD}}),
        *(csi_node(n, ["driver.longhorn.io"]) for n in NODES),
    ]
    assert findings("k3s-kubelet-path-mismatch", objs) == []


def test_proof_from_one_driver_exposes_another_on_the_wrong_root() -> None:
    nfs = daemonset(
        "csi-nfs-node",
        "kube-system",
        labels={"app": "csi-nfs-node"},
        pod_spec={
            "containers": [
                {
                    "name": "node-driver-registrar",
                    "image": "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.10.1",
                    "args": [
                        "--csi-address=/csi/csi.sock",
                        f"--kubelet-registration-path={STANDARD}/plugins/csi-nfsplugin/csi.sock",
                    ],
                }
            ],
            "volumes": [
                {
                    "name": "registration-dir",
                    "hostPath": {"path": f"{STANDARD}/plugins_registry", "type": "Directory"},
                },
                {
                    "name": "socket-dir",
                    "hostPath": {"path": f"{STANDARD}/plugins/csi-nfsplugin", "type": "DirectoryOrCreate"},
                },
            ],
        },
    )
    objs = [
        *_nodes(),
        nfs,
        longhorn_csi_plugin(K3S, desired=4),
        *(csi_node(n, ["csi-nfsplugin"]) for n in NODES),
    ]
    found = findings("k3s-kubelet-path-mismatch", objs)
    assert [f.object.name for f in found] == ["longhorn-csi-plugin"]
    assert any(
        "csi-nfsplugin (DaemonSet kube-system/csi-nfs-node) is registered on 4 K3s node(s)" in e
        for e in found[0].evidence
    )


def test_silent_on_k3s_paths_and_on_non_k3s_clusters() -> None:
    ok = [
        *_nodes(),
        longhorn_csi_plugin(K3S, desired=4),
        helm_release("longhorn", "longhorn-system", "longhorn", values={"csi": {"kubeletRootDir": K3S}}),
    ]
    assert findings("k3s-kubelet-path-mismatch", ok) == []
    kubeadm = [node("cp1", version="v1.32.5", control_plane=True), longhorn_csi_plugin(STANDARD)]
    for n in kubeadm[:1]:
        n["metadata"]["annotations"] = {}
    assert findings("k3s-kubelet-path-mismatch", kubeadm) == []


def test_not_evaluated_without_workloads_or_releases() -> None:
    assert run_one("k3s-kubelet-path-mismatch", _nodes()).status == "not_evaluated"


def _manager(namespace: str, image: str) -> dict[str, object]:
    """A DaemonSet mounting the pods' directory under the standard kubelet root, with no CSI plugin path."""
    return daemonset(
        "longhorn-manager",
        namespace,
        labels={"app": "longhorn-manager"},
        pod_spec={
            "containers": [{"name": "longhorn-manager", "image": image}],
            "volumes": [{"name": "pods", "hostPath": {"path": f"{STANDARD}/pods", "type": "Directory"}}],
        },
    )


def test_longhorn_is_recognised_by_its_images_in_any_namespace() -> None:
    """Without a registered driver to prove the root, only CSI plugins and Longhorn are judged: Longhorn by
    its chart's default namespace, or by its images wherever it was installed; another workload mounting the
    kubelet's directory (a log shipper) is left alone."""
    found = findings(
        "k3s-kubelet-path-mismatch", [*_nodes(), _manager("storage", "longhornio/longhorn-manager:v1.7.2")]
    )
    assert [(f.object.namespace, f.object.name) for f in found] == [("storage", "longhorn-manager")]
    shipper = _manager("storage", "fluent/fluent-bit:3.0")
    assert findings("k3s-kubelet-path-mismatch", [*_nodes(), shipper]) == []
