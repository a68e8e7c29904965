"""The homelab's components, each a function that adds its objects to a :class:`homelab.Lab`.

Every function takes the incidents it can show as keyword options, so the demo (everything broken at
once) and the small scenario snapshots (one or two incidents in healthy surroundings) share the builders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from homelab import CLUSTER_BORN, Lab
from k8sgen import K3S_KUBELET, plus

STD_KUBELET = "/var/lib/kubelet"

CILIUM_IMAGE = (
    "quay.io/cilium/cilium:v1.15.6@sha256:6aa840986a3a9722cd967ef63248d675a87add7e1704740902d5d3162f0c0def"
)
CILIUM_OPERATOR_IMAGE = "quay.io/cilium/operator-generic:v1.15.6@sha256:5789f0935eef96ad571e4f5565a8800d3a8fbb05265cf6909300cd82fd513c3d"
LH = "longhornio"


@dataclass
class NodeSpec:
    name: str
    ip: str
    cidr: str
    created: str
    control_plane: bool = False
    kubelet: str = "v1.32.5+k3s1"
    cpu: str = "4"
    mem_ki: int = 8131428
    labels: dict[str, str] = field(default_factory=dict)
    extra_capacity: dict[str, str] = field(default_factory=dict)
    kernel: str = "5.15.0-141-generic"


def fletcherlabs_nodes(k3s2_kubelet: str = "v1.31.9+k3s1", k3s3_bgp: bool = False) -> list[NodeSpec]:
    gpu_labels = {
        "feature.node.kubernetes.io/pci-10de.present": "true",
        "nvidia.com/cuda.driver.major": "550",
        "nvidia.com/cuda.driver.minor": "144",
        "nvidia.com/gpu.count": "1",
        "nvidia.com/gpu.family": "turing",
        "nvidia.com/gpu.memory": "15360",
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": "Tesla-T4-SHARED",
        "nvidia.com/gpu.replicas": "4",
        "nvidia.com/gpu.sharing-strategy": "time-slicing",
        "node.longhorn.io/create-default-disk": "config",
        "storage-tier": "optane-nvme-sas",
    }
    if k3s3_bgp:
        gpu_labels["bgp-policy"] = "enabled"
    intel = {
        "intel.feature.node.kubernetes.io/gpu": "true",
        "bgp-policy": "enabled",
        "node.longhorn.io/create-default-disk": "true",
    }
    return [
        NodeSpec(
            "k3s-master1",
            "192.168.10.30",
            "10.42.0.0/24",
            CLUSTER_BORN,
            control_plane=True,
            labels={"node.kubernetes.io/exclude-from-external-load-balancers": "true"},
        ),
        NodeSpec(
            "k3s1",
            "192.168.10.31",
            "10.42.1.0/24",
            plus(CLUSTER_BORN, minutes=21),
            cpu="6",
            mem_ki=32_610_124,
            labels=dict(intel),
            extra_capacity={"gpu.intel.com/i915": "1"},
        ),
        NodeSpec(
            "k3s2",
            "192.168.10.32",
            "10.42.2.0/24",
            plus(CLUSTER_BORN, minutes=26),
            cpu="6",
            mem_ki=32_610_128,
            kubelet=k3s2_kubelet,
            labels=dict(intel),
            extra_capacity={"gpu.intel.com/i915": "1"},
        ),
        NodeSpec(
            "k3s3",
            "192.168.10.33",
            "10.42.3.0/24",
            "2025-05-24T19:44:07Z",
            cpu="64",
            mem_ki=395_948_236,
            labels=gpu_labels,
            extra_capacity={"nvidia.com/gpu": "4"},
            kernel="5.15.0-141-generic",
        ),
    ]


def add_nodes(
    g: Lab,
    specs: list[NodeSpec],
    *,
    down: dict[str, dict[str, Any]] | None = None,
    csi_missing: set[str] | None = None,
) -> None:
    """down: node -> {since, cilium_down_since?}; csi_missing: nodes whose CSINode lacks driver.longhorn.io."""
    down = down or {}
    csi_missing = csi_missing or set()
    for s in specs:
        d = down.get(s.name)
        drivers = ["nfs.csi.k8s.io"] + ([] if s.name in csi_missing else ["driver.longhorn.io"])
        taints = None
        if d:
            t_at = plus(d["since"], seconds=41)
            taints = [
                {"effect": "NoSchedule", "key": "node.kubernetes.io/unreachable", "timeAdded": t_at},
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "timeAdded": plus(t_at, seconds=5),
                },
            ]
        g.node(
            s.name,
            s.ip,
            s.cidr,
            created=s.created,
            control_plane=s.control_plane,
            kubelet=s.kubelet,
            kernel=s.kernel,
            cpu=s.cpu,
            mem_ki=s.mem_ki,
            extra_capacity=s.extra_capacity,
            labels=s.labels,
            state="unknown" if d else "ready",
            down_since=d["since"] if d else None,
            cilium_down_since=(d or {}).get("cilium_down_since"),
            csi_drivers=sorted(drivers),
            taints=taints,
            ready_since=plus(s.created, seconds=38) if not d else None,
        )
    for s in specs:
        drivers = ["nfs.csi.k8s.io"] + ([] if s.name in csi_missing else ["driver.longhorn.io"])
        g.csinode(s.name, sorted(drivers))


def namespaces(g: Lab, names: dict[str, str | None]) -> None:
    base = {"default": None, "kube-system": None, "kube-public": None, "kube-node-lease": None}
    for ns in base:
        g.namespace(ns, CLUSTER_BORN)
    for ns, ks in names.items():
        g.namespace(ns, plus(CLUSTER_BORN, hours=1, minutes=len(ns)), ks=ks)


# ---------------------------------------------------------------------------------- kube-system
def kube_system(g: Lab, *, metrics: bool = True) -> None:
    created = plus(CLUSTER_BORN, seconds=30)
    f = "kube-system.yaml"
    dns = g.deployment(
        f,
        "kube-system",
        "coredns",
        created=created,
        selector={"k8s-app": "kube-dns"},
        labels={"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
        spec={
            "containers": [
                {
                    "name": "coredns",
                    "image": "rancher/mirrored-coredns-coredns:1.12.1",
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "ports": [
                        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                        {"containerPort": 53, "name": "dns-tcp"},
                        {"containerPort": 9153, "name": "metrics"},
                    ],
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
                    "resources": {
                        "limits": {"memory": "170Mi"},
                        "requests": {"cpu": "100m", "memory": "70Mi"},
                    },
                }
            ],
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "coredns",
            "nodeSelector": {"kubernetes.io/os": "linux"},
        },
        pods=[{"node": "k3s-master1", "created": plus(created, days=20, hours=3)}],
        rs_created=plus(created, days=20, hours=3),
        sa="coredns",
    )
    g.service(
        f,
        "kube-system",
        "kube-dns",
        selector={"k8s-app": "kube-dns"},
        created=created,
        labels={
            "k8s-app": "kube-dns",
            "kubernetes.io/cluster-service": "true",
            "kubernetes.io/name": "CoreDNS",
        },
        ports=[
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "targetPort": 53},
            {"name": "metrics", "port": 9153, "targetPort": 9153},
        ],
    )
    del dns
    g.deployment(
        f,
        "kube-system",
        "local-path-provisioner",
        created=created,
        selector={"app": "local-path-provisioner"},
        spec={
            "containers": [
                {
                    "name": "local-path-provisioner",
                    "image": "rancher/local-path-provisioner:v0.0.31",
                    "command": ["local-path-provisioner", "start", "--config", "/etc/config/config.json"],
                    "env": [
                        {
                            "name": "POD_NAMESPACE",
                            "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                        }
                    ],
                }
            ],
            "priorityClassName": "system-node-critical",
            "serviceAccountName": "local-path-provisioner-service-account",
        },
        pods=[{"node": "k3s-master1", "created": plus(created, days=20, hours=3)}],
        rs_created=plus(created, days=20, hours=3),
        sa="local-path-provisioner-service-account",
    )
    if metrics:
        g.deployment(
            f,
            "kube-system",
            "metrics-server",
            created=created,
            selector={"k8s-app": "metrics-server"},
            spec={
                "containers": [
                    {
                        "name": "metrics-server",
                        "image": "rancher/mirrored-metrics-server:v0.7.2",
                        "args": [
                            "--cert-dir=/tmp",
                            "--secure-port=10250",
                            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                            "--kubelet-use-node-status-port",
                            "--metric-resolution=15s",
                        ],
                        "ports": [{"containerPort": 10250, "name": "https"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "70Mi"}},
                    }
                ],
                "priorityClassName": "system-node-critical",
                "serviceAccountName": "metrics-server",
            },
            pods=[{"node": "k3s-master1", "created": plus(created, days=20, hours=3)}],
            rs_created=plus(created, days=20, hours=3),
            sa="metrics-server",
        )


# ---------------------------------------------------------------------------------- Cilium
def cilium(
    g: Lab,
    nodes: list[str],
    *,
    agent: dict[str, dict[str, Any]] | None = None,
    app_protocol: bool = False,
    bgp: bool = True,
    lb_pool: bool = True,
) -> dict[str, Any]:
    f = "cilium.yaml"
    created = plus(CLUSTER_BORN, minutes=3)
    helm = ("cilium", "kube-system")
    cfg = {
        "agent-not-ready-taint-key": "node.cilium.io/agent-not-ready",
        "arping-refresh-period": "30s",
        "auto-direct-node-routes": "false",
        "bpf-lb-external-clusterip": "false",
        "bpf-lb-map-max": "65536",
        "bpf-map-dynamic-size-ratio": "0.0025",
        "bpf-policy-map-max": "16384",
        "cluster-id": "0",
        "cluster-name": "fletcherlabs",
        "cluster-pool-ipv4-cidr": "10.42.0.0/16",
        "cluster-pool-ipv4-mask-size": "24",
        "cni-exclusive": "true",
        "custom-cni-conf": "false",
        "debug": "false",
        "enable-bgp-control-plane": "true" if bgp else "false",
        "enable-envoy-config": "true",
        "enable-gateway-api": "true",
        "enable-gateway-api-alpn": "true",
        "enable-gateway-api-secrets-sync": "true",
        "enable-health-checking": "true",
        "enable-hubble": "true",
        "enable-ipv4": "true",
        "enable-ipv6": "false",
        "enable-k8s-networkpolicy": "true",
        "enable-l2-announcements": "false",
        "enable-l7-proxy": "true",
        "enable-policy": "default",
        "gateway-api-secrets-namespace": "cilium-secrets",
        "hubble-listen-address": ":4244",
        "identity-allocation-mode": "crd",
        "ipam": "kubernetes",
        "k8s-service-host": "192.168.10.30",
        "k8s-service-port": "6443",
        "kube-proxy-replacement": "true",
        "monitor-aggregation": "medium",
        "operator-api-serve-addr": "127.0.0.1:9234",
        "routing-mode": "tunnel",
        "tunnel-protocol": "vxlan",
    }
    if app_protocol:
        cfg["enable-gateway-api-app-protocol"] = "true"
    g.configmap(f, "kube-system", "cilium-config", dict(sorted(cfg.items())), created=created, helm=helm)
    sel = {"k8s-app": "cilium"}
    agent_c = {
        "name": "cilium-agent",
        "image": CILIUM_IMAGE,
        "command": ["cilium-agent"],
        "args": ["--config-dir=/tmp/cilium/config-map"],
        "env": [
            {
                "name": "K8S_NODE_NAME",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
            },
            {
                "name": "CILIUM_K8S_NAMESPACE",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
            },
            {"name": "KUBERNETES_SERVICE_HOST", "value": "192.168.10.30"},
            {"name": "KUBERNETES_SERVICE_PORT", "value": "6443"},
        ],
        "readinessProbe": {
            "httpGet": {
                "host": "127.0.0.1",
                "path": "/healthz",
                "port": 9879,
                "httpHeaders": [{"name": "brief", "value": "true"}],
            },
            "periodSeconds": 30,
            "timeoutSeconds": 5,
        },
        "livenessProbe": {
            "httpGet": {
                "host": "127.0.0.1",
                "path": "/healthz",
                "port": 9879,
                "httpHeaders": [{"name": "brief", "value": "true"}],
            },
            "periodSeconds": 30,
            "failureThreshold": 10,
            "timeoutSeconds": 5,
        },
        "securityContext": {
            "capabilities": {
                "add": [
                    "CHOWN",
                    "KILL",
                    "NET_ADMIN",
                    "NET_RAW",
                    "IPC_LOCK",
                    "SYS_MODULE",
                    "SYS_ADMIN",
                    "SYS_RESOURCE",
                    "DAC_OVERRIDE",
                    "FOWNER",
                    "SETGID",
                    "SETUID",
                ],
                "drop": ["ALL"],
            },
            "seLinuxOptions": {"level": "s0", "type": "spc_t"},
        },
        "volumeMounts": [
            {"mountPath": "/host/proc/sys/net", "name": "host-proc-sys-net"},
            {"mountPath": "/sys/fs/bpf", "mountPropagation": "HostToContainer", "name": "bpf-maps"},
            {"mountPath": "/var/run/cilium", "name": "cilium-run"},
            {"mountPath": "/tmp/cilium/config-map", "name": "cilium-config-path", "readOnly": True},
        ],
    }
    init = [
        {"name": "config", "image": CILIUM_IMAGE, "command": ["cilium-dbg", "build-config"]},
        {
            "name": "mount-cgroup",
            "image": CILIUM_IMAGE,
            "command": [
                "sh",
                "-ec",
                'cp /usr/bin/cilium-mount /hostbin/cilium-mount; nsenter --cgroup=/hostproc/1/ns/cgroup --mount=/hostproc/1/ns/mnt "${BIN_PATH}/cilium-mount" $CGROUP_ROOT; rm /hostbin/cilium-mount',
            ],
        },
        {
            "name": "mount-bpf-fs",
            "image": CILIUM_IMAGE,
            "command": ["/bin/bash", "-c", "--"],
            "args": ['mount | grep "/sys/fs/bpf type bpf" || mount -t bpf bpf /sys/fs/bpf'],
        },
        {"name": "clean-cilium-state", "image": CILIUM_IMAGE, "command": ["/init-container.sh"]},
        {
            "name": "install-cni-binaries",
            "image": CILIUM_IMAGE,
            "command": ["/install-plugin.sh"],
            "volumeMounts": [{"mountPath": "/host/opt/cni/bin", "name": "cni-path"}],
        },
    ]
    spec = {
        "containers": [agent_c],
        "initContainers": init,
        "hostNetwork": True,
        "serviceAccountName": "cilium",
        "priorityClassName": "system-node-critical",
        "automountServiceAccountToken": True,
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "terminationGracePeriodSeconds": 1,
        "tolerations": [{"operator": "Exists"}],
        "volumes": [
            {"hostPath": {"path": "/var/run/cilium", "type": "DirectoryOrCreate"}, "name": "cilium-run"},
            {"hostPath": {"path": "/sys/fs/bpf", "type": "DirectoryOrCreate"}, "name": "bpf-maps"},
            {"hostPath": {"path": "/opt/cni/bin", "type": "DirectoryOrCreate"}, "name": "cni-path"},
            {"hostPath": {"path": "/proc/sys/net", "type": "Directory"}, "name": "host-proc-sys-net"},
            {"configMap": {"defaultMode": 420, "name": "cilium-config"}, "name": "cilium-config-path"},
        ],
    }
    ds = g.daemonset(
        f,
        "kube-system",
        "cilium",
        spec=spec,
        created=created,
        nodes=nodes,
        per_node=agent,
        selector=sel,
        tpl_labels={
            "app.kubernetes.io/name": "cilium-agent",
            "app.kubernetes.io/part-of": "cilium",
            "k8s-app": "cilium",
        },
        labels={
            "app.kubernetes.io/name": "cilium-agent",
            "app.kubernetes.io/part-of": "cilium",
            "k8s-app": "cilium",
        },
        helm=helm,
        sa="cilium",
        tpl_annotations={"container.apparmor.security.beta.kubernetes.io/cilium-agent": "unconfined"},
        pods_created="2025-06-12T21:14:33Z",
    )
    op_sel = {"io.cilium/app": "operator", "name": "cilium-operator"}
    g.deployment(
        f,
        "kube-system",
        "cilium-operator",
        created=created,
        selector=op_sel,
        labels={**op_sel, "app.kubernetes.io/name": "cilium-operator", "app.kubernetes.io/part-of": "cilium"},
        tpl_labels={
            **op_sel,
            "app.kubernetes.io/name": "cilium-operator",
            "app.kubernetes.io/part-of": "cilium",
        },
        helm=helm,
        sa="cilium-operator",
        spec={
            "containers": [
                {
                    "name": "cilium-operator",
                    "image": CILIUM_OPERATOR_IMAGE,
                    "command": ["cilium-operator-generic"],
                    "args": ["--config-dir=/tmp/cilium/config-map", "--debug=$(CILIUM_DEBUG)"],
                    "livenessProbe": {
                        "httpGet": {"host": "127.0.0.1", "path": "/healthz", "port": 9234},
                        "initialDelaySeconds": 60,
                        "timeoutSeconds": 3,
                    },
                }
            ],
            "hostNetwork": True,
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "cilium-operator",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"operator": "Exists"}],
        },
        pods=[{"node": "k3s-master1", "created": "2025-06-12T21:14:30Z"}],
        rs_created="2025-06-12T21:14:30Z",
    )
    if bgp:
        g.cr(
            f,
            "cilium.io/v2alpha1",
            "CiliumBGPPeeringPolicy",
            "bgp-peering-policy",
            None,
            created=plus(created, days=2),
            ks="infrastructure",
            spec={
                "nodeSelector": {"matchLabels": {"bgp-policy": "enabled"}},
                "virtualRouters": [
                    {
                        "exportPodCIDR": False,
                        "localASN": 64512,
                        "neighbors": [
                            {
                                "peerASN": 64513,
                                "peerAddress": "192.168.10.1/32",
                                "connectRetryTimeSeconds": 120,
                                "eBGPMultihopTTL": 1,
                                "holdTimeSeconds": 90,
                                "keepAliveTimeSeconds": 30,
                                "peerPort": 179,
                            }
                        ],
                        "serviceSelector": {
                            "matchExpressions": [
                                {"key": "somekey", "operator": "NotIn", "values": ["never-used-value"]}
                            ]
                        },
                    }
                ],
            },
        )
    if lb_pool:
        at = plus(created, days=2)
        g.cr(
            f,
            "cilium.io/v2alpha1",
            "CiliumLoadBalancerIPPool",
            "main-pool",
            None,
            created=at,
            ks="infrastructure",
            spec={"blocks": [{"cidr": "192.168.10.224/28"}], "disabled": False},
            status={
                "conditions": [
                    g.cond("cilium.io/IPsTotal", "Unknown", "noreason", "16", at),
                    g.cond("cilium.io/IPsAvailable", "Unknown", "noreason", "15", at),
                    g.cond("cilium.io/IPsUsed", "Unknown", "noreason", "1", at),
                    g.cond("cilium.io/PoolConflict", "False", "resolved", "", at),
                ]
            },
        )
    return cast("dict[str, Any]", ds)


# ---------------------------------------------------------------------------------- Longhorn
def longhorn(
    g: Lab,
    nodes: list[str],
    *,
    kubelet_root: str = K3S_KUBELET,
    per_node_manager: dict[str, dict[str, Any]] | None = None,
    per_node_csi: dict[str, dict[str, Any]] | None = None,
    values_root: str | None = None,
    volumes: list[dict[str, Any]] | None = None,
    lh_nodes: dict[str, dict[str, Any]] | None = None,
    ui: bool = True,
    hr: bool = True,
    sidecars: bool = True,
) -> None:
    f = "longhorn.yaml"
    ns = "longhorn-system"
    created = plus(CLUSTER_BORN, days=27, hours=-2)  # fresh install after the CSI incident (2025-06-14)
    helm = ("longhorn", ns)
    if hr:
        vals: dict[str, Any] = {
            "csi": {
                "attacherReplicaCount": 1,
                "provisionerReplicaCount": 1,
                "resizerReplicaCount": 1,
                "snapshotterReplicaCount": 1,
            },
            "defaultSettings": {
                "createDefaultDiskLabeledNodes": True,
                "defaultDataPath": "/var/lib/longhorn",
                "defaultReplicaCount": 2,
                "storageMinimalAvailablePercentage": 15,
            },
            "persistence": {"defaultClass": True, "defaultClassReplicaCount": 2},
            "longhornUI": {"replicas": 1},
        }
        if values_root:
            vals["csi"]["kubeletRootDir"] = values_root
        g.helm_release(
            "longhorn",
            ns,
            "longhorn",
            "1.6.2",
            "longhorn",
            created=created,
            ks="infrastructure",
            values=vals,
            app_version="v1.6.2",
            at=plus(created, minutes=3),
        )
    g.csidriver("driver.longhorn.io", created=plus(created, minutes=2), attach=True, helm=None)
    sel_m = {"app": "longhorn-manager"}
    mgr_spec = {
        "containers": [
            {
                "name": "longhorn-manager",
                "image": f"{LH}/longhorn-manager:v1.6.2",
                "command": [
                    "longhorn-manager",
                    "-d",
                    "daemon",
                    "--engine-image",
                    f"{LH}/longhorn-engine:v1.6.2",
                    "--instance-manager-image",
                    f"{LH}/longhorn-instance-manager:v1.6.2",
                    "--share-manager-image",
                    f"{LH}/longhorn-share-manager:v1.6.2",
                    "--backing-image-manager-image",
                    f"{LH}/backing-image-manager:v1.6.2",
                    "--support-bundle-manager-image",
                    f"{LH}/support-bundle-kit:v0.0.37",
                    "--manager-image",
                    f"{LH}/longhorn-manager:v1.6.2",
                    "--service-account",
                    "longhorn-service-account",
                ],
                "ports": [
                    {"containerPort": 9500, "name": "manager"},
                    {"containerPort": 9501, "name": "conversion-wh"},
                    {"containerPort": 9502, "name": "admission-wh"},
                    {"containerPort": 9503, "name": "recov-backend"},
                ],
                "readinessProbe": {"httpGet": {"path": "/v1/healthz", "port": 9501, "scheme": "HTTPS"}},
                "securityContext": {"privileged": True},
                "volumeMounts": [
                    {"mountPath": "/host/dev/", "name": "dev"},
                    {"mountPath": "/host/proc/", "name": "proc"},
                    {
                        "mountPath": "/var/lib/longhorn/",
                        "mountPropagation": "Bidirectional",
                        "name": "longhorn",
                    },
                ],
            }
        ],
        "priorityClassName": "longhorn-critical",
        "serviceAccountName": "longhorn-service-account",
        "volumes": [
            {"hostPath": {"path": "/dev/", "type": ""}, "name": "dev"},
            {"hostPath": {"path": "/proc/", "type": ""}, "name": "proc"},
            {"hostPath": {"path": "/var/lib/longhorn/", "type": ""}, "name": "longhorn"},
        ],
    }
    g.daemonset(
        f,
        ns,
        "longhorn-manager",
        spec=mgr_spec,
        created=created,
        nodes=nodes,
        per_node=per_node_manager,
        selector=sel_m,
        labels={
            "app": "longhorn-manager",
            "app.kubernetes.io/name": "longhorn",
            "app.kubernetes.io/version": "v1.6.2",
        },
        tpl_labels={
            "app": "longhorn-manager",
            "app.kubernetes.io/instance": "longhorn",
            "app.kubernetes.io/name": "longhorn",
            "app.kubernetes.io/version": "v1.6.2",
        },
        helm=helm,
        sa="longhorn-service-account",
        pods_created=plus(created, minutes=1),
    )
    root = kubelet_root
    csi_spec = {
        "containers": [
            {
                "name": "node-driver-registrar",
                "image": f"{LH}/csi-node-driver-registrar:v2.9.2",
                "args": [
                    "--v=2",
                    "--csi-address=$(ADDRESS)",
                    f"--kubelet-registration-path={root}/plugins/driver.longhorn.io/csi.sock",
                ],
                "env": [{"name": "ADDRESS", "value": "/csi/csi.sock"}],
                "volumeMounts": [
                    {"mountPath": "/csi/", "name": "socket-dir"},
                    {"mountPath": "/registration", "name": "registration-dir"},
                ],
            },
            {
                "name": "longhorn-liveness-probe",
                "image": f"{LH}/livenessprobe:v2.12.0",
                "args": ["--v=4", "--csi-address=$(ADDRESS)", "--probe-timeout=3s"],
                "env": [{"name": "ADDRESS", "value": "/csi/csi.sock"}],
                "volumeMounts": [{"mountPath": "/csi/", "name": "socket-dir"}],
            },
            {
                "name": "longhorn-csi-plugin",
                "image": f"{LH}/longhorn-manager:v1.6.2",
                "args": [
                    "longhorn-manager",
                    "-d",
                    "csi",
                    "--nodeid=$(NODE_ID)",
                    "--endpoint=$(CSI_ENDPOINT)",
                    "--drivername=driver.longhorn.io",
                    "--manager-url=http://longhorn-backend:9500/v1",
                ],
                "env": [
                    {
                        "name": "NODE_ID",
                        "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
                    },
                    {"name": "CSI_ENDPOINT", "value": "unix:///csi/csi.sock"},
                ],
                "livenessProbe": {
                    "httpGet": {"path": "/healthz", "port": "healthz"},
                    "initialDelaySeconds": 3,
                    "periodSeconds": 5,
                    "failureThreshold": 3,
                    "timeoutSeconds": 3,
                },
                "ports": [{"containerPort": 9808, "name": "healthz"}],
                "securityContext": {
                    "allowPrivilegeEscalation": True,
                    "capabilities": {"add": ["SYS_ADMIN"]},
                    "privileged": True,
                },
                "volumeMounts": [
                    {"mountPath": "/csi/", "name": "socket-dir"},
                    {"mountPath": root, "mountPropagation": "Bidirectional", "name": "pods-mount-dir"},
                    {"mountPath": "/dev", "name": "host-dev"},
                    {"mountPath": "/sys", "name": "host-sys"},
                    {"mountPath": "/rootfs", "mountPropagation": "Bidirectional", "name": "host"},
                    {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": True},
                ],
            },
        ],
        "hostPID": True,
        "priorityClassName": "longhorn-critical",
        "serviceAccountName": "longhorn-service-account",
        "volumes": [
            {
                "hostPath": {"path": f"{root}/plugins/driver.longhorn.io", "type": "DirectoryOrCreate"},
                "name": "socket-dir",
            },
            {
                "hostPath": {"path": f"{root}/plugins_registry", "type": "DirectoryOrCreate"},
                "name": "registration-dir",
            },
            {"hostPath": {"path": root, "type": "DirectoryOrCreate"}, "name": "pods-mount-dir"},
            {"hostPath": {"path": "/dev", "type": ""}, "name": "host-dev"},
            {"hostPath": {"path": "/sys", "type": ""}, "name": "host-sys"},
            {"hostPath": {"path": "/", "type": ""}, "name": "host"},
            {"hostPath": {"path": "/lib/modules", "type": ""}, "name": "lib-modules"},
        ],
    }
    g.daemonset(
        f,
        ns,
        "longhorn-csi-plugin",
        spec=csi_spec,
        created=plus(created, minutes=2),
        nodes=nodes,
        per_node=per_node_csi,
        selector={"app": "longhorn-csi-plugin"},
        labels={"app": "longhorn-csi-plugin", "longhorn.io/managed-by": "longhorn-manager"},
        tpl_labels={"app": "longhorn-csi-plugin", "longhorn.io/managed-by": "longhorn-manager"},
        sa="longhorn-service-account",
        pods_created=plus(created, minutes=3),
    )
    for comp, image in (
        ("csi-attacher", "csi-attacher:v4.4.2"),
        ("csi-provisioner", "csi-provisioner:v3.6.2"),
    )[: 2 if sidecars else 0]:
        g.deployment(
            f,
            ns,
            comp,
            created=plus(created, minutes=2),
            selector={"app": comp},
            labels={"app": comp, "longhorn.io/managed-by": "longhorn-manager"},
            spec={
                "containers": [
                    {
                        "name": comp,
                        "image": f"{LH}/{image}",
                        "args": [
                            "--v=2",
                            "--csi-address=$(ADDRESS)",
                            "--timeout=1m50s",
                            "--leader-election",
                            "--leader-election-namespace=$(POD_NAMESPACE)",
                        ],
                        "env": [
                            {"name": "ADDRESS", "value": "/csi/csi.sock"},
                            {
                                "name": "POD_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                        ],
                        "volumeMounts": [{"mountPath": "/csi/", "name": "socket-dir"}],
                    }
                ],
                "priorityClassName": "longhorn-critical",
                "serviceAccountName": "longhorn-service-account",
                "volumes": [
                    {
                        "hostPath": {
                            "path": f"{root}/plugins/driver.longhorn.io",
                            "type": "DirectoryOrCreate",
                        },
                        "name": "socket-dir",
                    }
                ],
            },
            pods=[{"node": "k3s2" if "k3s2" in nodes else nodes[-1], "created": plus(created, minutes=3)}],
            sa="longhorn-service-account",
        )
    if sidecars:
        driver_deployer(g, ns, created, helm, values_root, nodes)
    g.service(
        f,
        ns,
        "longhorn-backend",
        selector={"app": "longhorn-manager"},
        created=created,
        helm=helm,
        labels={"app": "longhorn-manager", "app.kubernetes.io/name": "longhorn"},
        ports=[{"name": "manager", "port": 9500, "targetPort": "manager"}],
    )
    _ui_nodes_volumes(g, f, ns, created, helm, ui, lh_nodes, volumes)


def driver_deployer(
    g: Lab, ns: str, created: str, helm: tuple[str, str], values_root: str | None, nodes: list[str]
) -> None:
    f = "longhorn.yaml"
    g.deployment(
        f,
        ns,
        "longhorn-driver-deployer",
        created=created,
        selector={"app": "longhorn-driver-deployer"},
        helm=helm,
        labels={"app.kubernetes.io/instance": "longhorn", "app.kubernetes.io/name": "longhorn"},
        spec={
            "containers": [
                {
                    "name": "longhorn-driver-deployer",
                    "image": f"{LH}/longhorn-manager:v1.6.2",
                    "command": [
                        "longhorn-manager",
                        "-d",
                        "deploy-driver",
                        "--manager-image",
                        f"{LH}/longhorn-manager:v1.6.2",
                        "--manager-url",
                        "http://longhorn-backend:9500/v1",
                    ],
                    "env": [
                        {
                            "name": "POD_NAMESPACE",
                            "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                        },
                        {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                        {
                            "name": "SERVICE_ACCOUNT",
                            "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}},
                        },
                        *([{"name": "KUBELET_ROOT_DIR", "value": values_root}] if values_root else []),
                    ],
                }
            ],
            "initContainers": [
                {
                    "name": "wait-longhorn-manager",
                    "image": f"{LH}/longhorn-manager:v1.6.2",
                    "command": [
                        "sh",
                        "-c",
                        'while [ $(curl -m 1 -s -o /dev/null -w "%{http_code}" http://longhorn-backend:9500/v1) != "200" ]; do echo waiting; sleep 2; done',
                    ],
                }
            ],
            "priorityClassName": "longhorn-critical",
            "serviceAccountName": "longhorn-service-account",
        },
        pods=[{"node": "k3s2" if "k3s2" in nodes else nodes[-1], "created": plus(created, minutes=1)}],
        sa="longhorn-service-account",
    )


def _ui_nodes_volumes(
    g: Lab,
    f: str,
    ns: str,
    created: str,
    helm: tuple[str, str],
    ui: bool,
    lh_nodes: dict[str, dict[str, Any]] | None,
    volumes: list[dict[str, Any]] | None,
) -> None:
    if ui:
        g.deployment(
            f,
            ns,
            "longhorn-ui",
            created=created,
            selector={"app": "longhorn-ui"},
            helm=helm,
            labels={"app": "longhorn-ui", "app.kubernetes.io/name": "longhorn"},
            tpl_labels={
                "app": "longhorn-ui",
                "app.kubernetes.io/instance": "longhorn",
                "app.kubernetes.io/name": "longhorn",
            },
            spec={
                "containers": [
                    {
                        "name": "longhorn-ui",
                        "image": f"{LH}/longhorn-ui:v1.6.2",
                        "env": [
                            {"name": "LONGHORN_MANAGER_IP", "value": "http://longhorn-backend:9500"},
                            {"name": "LONGHORN_UI_PORT", "value": "8000"},
                        ],
                        "ports": [{"containerPort": 8000, "name": "http"}],
                    }
                ],
                "serviceAccountName": "longhorn-ui-service-account",
            },
            pods=[{"node": "k3s-master1", "created": plus(created, minutes=1)}],
            sa="longhorn-ui-service-account",
        )
        g.service(
            f,
            ns,
            "longhorn-frontend",
            selector={"app": "longhorn-ui"},
            created=created,
            helm=helm,
            labels={"app": "longhorn-ui", "app.kubernetes.io/name": "longhorn"},
            ports=[{"name": "http", "port": 80, "targetPort": "http"}],
        )
    for name, spec in (lh_nodes or {}).items():
        lh_node(g, name, created=plus(created, minutes=2), **spec)
    for vol in volumes or []:
        lh_volume(g, created=created, **vol)


def lh_node(
    g: Lab,
    name: str,
    *,
    created: str,
    disks: dict[str, tuple[str, int]] | None = None,
    allow: bool = True,
    ready: bool = True,
    down_since: str | None = None,
) -> dict[str, Any]:
    disks = disks or {"default-disk-1c2b": ("/var/lib/longhorn/", 480_000_000_000)}
    spec_disks = {}
    status_disks = {}
    for d, (path, size) in disks.items():
        tags = [d.split("-")[0]] if d.split("-")[0] in ("optane", "nvme", "sas") else []
        spec_disks[d] = {
            "allowScheduling": True,
            "diskType": "filesystem",
            "evictionRequested": False,
            "path": path,
            "storageReserved": size // 10,
            "tags": tags,
        }
        status_disks[d] = {
            "conditions": [
                g.cond("Ready", "True", "", "", created, gen=None),
                g.cond("Schedulable", "True", "", "", created, gen=None),
            ],
            "diskType": "filesystem",
            "diskUUID": g.uid(),
            "filesystemType": "ext2/ext3",
            "storageAvailable": int(size * 0.7),
            "storageMaximum": size,
            "storageScheduled": int(size * 0.2),
        }
    conds = [
        g.cond(
            "Ready",
            "True" if ready else "False",
            "" if ready else "ManagerPodDown",
            "" if ready else f"Node {name} is down: the manager pod longhorn-manager is not running",
            down_since or created,
            gen=None,
        ),
        g.cond("Schedulable", "True", "", "", created, gen=None),
        g.cond("MountPropagation", "True", "", "", created, gen=None),
        g.cond("RequiredPackages", "True", "", "", created, gen=None),
    ]
    return cast(
        "dict[str, Any]",
        g.cr(
            "longhorn.yaml",
            "longhorn.io/v1beta2",
            "Node",
            name,
            "longhorn-system",
            created=created,
            finalizers=["longhorn.io"],
            labels={"longhornnode": name},
            spec={
                "allowScheduling": allow,
                "disks": spec_disks,
                "evictionRequested": False,
                "instanceManagerCPURequest": 0,
                "name": name,
                "tags": [] if name != "k3s3" else ["storage"],
            },
            status={
                "autoEvicting": False,
                "conditions": conds,
                "diskStatus": status_disks,
                "region": "",
                "zone": "",
                "snapshotCheckStatus": {},
            },
        ),
    )


def lh_volume(
    g: Lab,
    *,
    created: str,
    name: str,
    pvc: tuple[str, str],
    size: str,
    robustness: str = "healthy",
    replicas: int = 2,
    node: str | None = None,
    state: str = "attached",
    pods: list[str] | None = None,
    sched_msg: str | None = None,
    disk_selector: list[str] | None = None,
) -> dict[str, Any]:
    size_b = str(int(size.rstrip("Gi")) * 1024**3)
    conds = [
        g.cond("TooManySnapshots", "False", "", "", created, gen=None),
        g.cond(
            "Scheduled",
            "True" if not sched_msg else "False",
            "" if not sched_msg else "ReplicaSchedulingFailure",
            sched_msg or "",
            created,
            gen=None,
        ),
        g.cond("Restore", "False", "", "", created, gen=None),
    ]
    ks = {
        "lastPVCRefAt": "",
        "lastPodRefAt": "",
        "namespace": pvc[0],
        "pvName": name,
        "pvStatus": "Bound",
        "pvcName": pvc[1],
        "workloadsStatus": [
            {
                "podName": p,
                "podStatus": "Running",
                "workloadName": p.rsplit("-", 2)[0],
                "workloadType": "ReplicaSet",
            }
            for p in pods or []
        ],
    }
    return cast(
        "dict[str, Any]",
        g.cr(
            "longhorn.yaml",
            "longhorn.io/v1beta2",
            "Volume",
            name,
            "longhorn-system",
            created=created,
            finalizers=["longhorn.io"],
            labels={
                "longhornvolume": name,
                "setting.longhorn.io/remove-snapshots-during-filesystem-trim": "ignored",
                "setting.longhorn.io/replica-auto-balance": "ignored",
                "setting.longhorn.io/snapshot-data-integrity": "ignored",
            },
            spec={
                "accessMode": "rwo",
                "backingImage": "",
                "dataEngine": "v1",
                "dataLocality": "disabled",
                "diskSelector": disk_selector or [],
                "frontend": "blockdev",
                "nodeSelector": [],
                "numberOfReplicas": replicas,
                "size": size_b,
                "staleReplicaTimeout": 30,
            },
            status={
                "actualSize": int(int(size_b) * 0.31),
                "conditions": conds,
                "currentNodeID": node or "",
                "frontendDisabled": False,
                "kubernetesStatus": ks,
                "ownerID": node or "k3s2",
                "robustness": robustness,
                "state": state,
            },
        ),
    )


def storage_classes(g: Lab, *, nfs: bool = True, tiers: bool = True) -> None:
    created = plus(CLUSTER_BORN, days=27)
    g.storageclass(
        "local-path",
        "rancher.io/local-path",
        {},
        created=CLUSTER_BORN,
        default=False,
        reclaim="Delete",
        binding="WaitForFirstConsumer",
        expand=False,
        annotations={"defaultVolumeType": "local", "objectset.rio.cattle.io/id": ""},
        labels={"objectset.rio.cattle.io/hash": "183f35c65ffbc3064603f43f1580d8c68a2dabd4"},
    )
    g.storageclass(
        "longhorn",
        "driver.longhorn.io",
        {
            "dataEngine": "v1",
            "dataLocality": "disabled",
            "disableRevisionCounter": "true",
            "fromBackup": "",
            "fsType": "ext4",
            "numberOfReplicas": "2",
            "staleReplicaTimeout": "30",
        },
        created=created,
        default=True,
        helm=("longhorn", "longhorn-system"),
        annotations={"longhorn.io/last-applied-configmap": "(stored by longhorn-manager)"},
    )
    if tiers:
        for tier in ("optane", "nvme", "sas-ssd"):
            g.storageclass(
                f"longhorn-{tier}",
                "driver.longhorn.io",
                {
                    "dataLocality": "best-effort",
                    "diskSelector": tier.split("-")[0],
                    "fsType": "ext4",
                    "nodeSelector": "storage",
                    "numberOfReplicas": "1",
                    "staleReplicaTimeout": "30",
                },
                created=plus(created, minutes=10),
                ks="infrastructure",
            )
    if nfs:
        g.csidriver("nfs.csi.k8s.io", created=plus(CLUSTER_BORN, days=1), attach=False, pod_info=False)
        g.storageclass(
            "nfs",
            "nfs.csi.k8s.io",
            {"server": "192.168.10.100", "share": "/mnt/nvme_storage"},
            created=plus(CLUSTER_BORN, days=1),
            reclaim="Retain",
            ks="infrastructure",
            mount_options=["nfsvers=4.1", "hard", "noatime"],
        )


def csi_nfs(
    g: Lab,
    nodes: list[str],
    kubelet_root: str = K3S_KUBELET,
    per_node: dict[str, dict[str, Any]] | None = None,
) -> None:
    f = "storage.yaml"
    created = plus(CLUSTER_BORN, days=1)
    root = kubelet_root
    spec = {
        "containers": [
            {
                "name": "node-driver-registrar",
                "image": "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.10.0",
                "args": [
                    "--v=2",
                    "--csi-address=/csi/csi.sock",
                    f"--kubelet-registration-path={root}/plugins/csi-nfsplugin/csi.sock",
                ],
                "volumeMounts": [
                    {"mountPath": "/csi", "name": "socket-dir"},
                    {"mountPath": "/registration", "name": "registration-dir"},
                ],
            },
            {
                "name": "nfs",
                "image": "registry.k8s.io/sig-storage/nfsplugin:v4.7.0",
                "args": [
                    "--v=5",
                    "--nodeid=$(NODE_ID)",
                    "--endpoint=$(CSI_ENDPOINT)",
                    "--drivername=nfs.csi.k8s.io",
                ],
                "env": [
                    {"name": "NODE_ID", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                    {"name": "CSI_ENDPOINT", "value": "unix:///csi/csi.sock"},
                ],
                "securityContext": {
                    "allowPrivilegeEscalation": True,
                    "capabilities": {"add": ["SYS_ADMIN"]},
                    "privileged": True,
                },
                "volumeMounts": [
                    {"mountPath": "/csi", "name": "socket-dir"},
                    {
                        "mountPath": f"{root}/pods",
                        "mountPropagation": "Bidirectional",
                        "name": "pods-mount-dir",
                    },
                ],
            },
        ],
        "dnsPolicy": "ClusterFirstWithHostNet",
        "hostNetwork": True,
        "priorityClassName": "system-cluster-critical",
        "serviceAccountName": "csi-nfs-node-sa",
        "volumes": [
            {
                "hostPath": {"path": f"{root}/plugins/csi-nfsplugin", "type": "DirectoryOrCreate"},
                "name": "socket-dir",
            },
            {"hostPath": {"path": f"{root}/pods", "type": "Directory"}, "name": "pods-mount-dir"},
            {
                "hostPath": {"path": f"{root}/plugins_registry", "type": "Directory"},
                "name": "registration-dir",
            },
        ],
    }
    g.daemonset(
        f,
        "kube-system",
        "csi-nfs-node",
        spec=spec,
        created=created,
        nodes=nodes,
        selector={"app": "csi-nfs-node"},
        labels={"app.kubernetes.io/instance": "csi-driver-nfs", "app.kubernetes.io/name": "csi-driver-nfs"},
        tpl_labels={
            "app": "csi-nfs-node",
            "app.kubernetes.io/instance": "csi-driver-nfs",
            "app.kubernetes.io/name": "csi-driver-nfs",
        },
        helm=("csi-driver-nfs", "kube-system"),
        sa="csi-nfs-node-sa",
        pods_created="2025-06-12T21:20:02Z",
        per_node=per_node,
    )
