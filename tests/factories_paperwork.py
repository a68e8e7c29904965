"""Builders for the objects the paperwork reads (storage, routes, gateways, Longhorn nodes, Cilium pools),
shaped as the API server and the controllers return them, and a small seed-shaped cluster made of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from click.testing import Result

from factories import container_status, deployment, meta, node, owner_ref, pod, ts, uid

RunCli = Callable[..., Result]
"""The ``run_cli`` fixture's type (tests/paperwork/conftest.py)."""


def storage_class(
    name: str,
    provisioner: str,
    *,
    parameters: dict[str, str] | None = None,
    default: bool = False,
    binding: str = "Immediate",
) -> dict[str, Any]:
    md = meta(name, kind="StorageClass")
    if default:
        md["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    obj: dict[str, Any] = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": md,
        "provisioner": provisioner,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": binding,
        "allowVolumeExpansion": True,
    }
    if parameters:
        obj["parameters"] = parameters
    return obj


def longhorn_class(
    name: str, *, disk_selector: str | None = None, replicas: int = 3, default: bool = False
) -> dict[str, Any]:
    params = {
        "numberOfReplicas": str(replicas),
        "staleReplicaTimeout": "30",
        "fromBackup": "",
        "fsType": "ext4",
        "dataLocality": "disabled",
    }
    if disk_selector:
        params["diskSelector"] = disk_selector
    return storage_class(name, "driver.longhorn.io", parameters=params, default=default)


def longhorn_node(name: str, disks: dict[str, list[str]]) -> dict[str, Any]:
    """A nodes.longhorn.io object; ``disks`` maps disk name → tags."""
    return {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Node",
        "metadata": meta(name, "longhorn-system", kind="LonghornNode"),
        "spec": {
            "name": name,
            "allowScheduling": True,
            "evictionRequested": False,
            "tags": [],
            "instanceManagerCPURequest": 0,
            "disks": {
                disk: {
                    "allowScheduling": True,
                    "diskType": "filesystem",
                    "evictionRequested": False,
                    "path": f"/mnt/{disk}",
                    "storageReserved": 0,
                    "tags": tags,
                }
                for disk, tags in disks.items()
            },
        },
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "",
                    "message": "",
                    "lastProbeTime": "",
                    "lastTransitionTime": ts(timedelta(days=1)),
                }
            ]
        },
    }


def pv_nfs(
    name: str,
    server: str,
    path: str,
    *,
    storage_class: str = "nfs-media",
    claim: tuple[str, str] | None = None,
    size: str = "30Ti",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "capacity": {"storage": size},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": storage_class,
        "volumeMode": "Filesystem",
        "mountOptions": ["nfsvers=4.1"],
        "nfs": {"server": server, "path": path},
    }
    if claim:
        spec["claimRef"] = {
            "kind": "PersistentVolumeClaim",
            "namespace": claim[0],
            "name": claim[1],
            "apiVersion": "v1",
            "uid": uid(f"PersistentVolumeClaim/{claim[0]}/{claim[1]}"),
        }
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta(name, kind="PersistentVolume"),
        "spec": spec,
        "status": {"phase": "Bound" if claim else "Available"},
    }


def pv_local_path(name: str, node_name: str, claim: tuple[str, str], *, size: str = "50Gi") -> dict[str, Any]:
    """What rancher.io/local-path provisions: a hostPath PV pinned to its node by required node affinity."""
    md = meta(
        name,
        kind="PersistentVolume",
        annotations={
            "local.path.provisioner/selected-node": node_name,
            "pv.kubernetes.io/provisioned-by": "rancher.io/local-path",
        },
    )
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": md,
        "spec": {
            "capacity": {"storage": size},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": "local-path",
            "volumeMode": "Filesystem",
            "hostPath": {
                "path": f"/var/lib/rancher/k3s/storage/{name}_{claim[0]}_{claim[1]}",
                "type": "DirectoryOrCreate",
            },
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node_name]}
                            ]
                        }
                    ]
                }
            },
            "claimRef": {
                "kind": "PersistentVolumeClaim",
                "namespace": claim[0],
                "name": claim[1],
                "apiVersion": "v1",
                "uid": uid(f"PersistentVolumeClaim/{claim[0]}/{claim[1]}"),
            },
        },
        "status": {"phase": "Bound"},
    }


def pv_longhorn(
    name: str, storage_class: str, claim: tuple[str, str], *, size: str = "10Gi"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta(
            name,
            kind="PersistentVolume",
            annotations={"pv.kubernetes.io/provisioned-by": "driver.longhorn.io"},
        ),
        "spec": {
            "capacity": {"storage": size},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": storage_class,
            "volumeMode": "Filesystem",
            "csi": {
                "driver": "driver.longhorn.io",
                "fsType": "ext4",
                "volumeHandle": name,
                "volumeAttributes": {"numberOfReplicas": "3", "staleReplicaTimeout": "30"},
            },
            "claimRef": {
                "kind": "PersistentVolumeClaim",
                "namespace": claim[0],
                "name": claim[1],
                "apiVersion": "v1",
                "uid": uid(f"PersistentVolumeClaim/{claim[0]}/{claim[1]}"),
            },
        },
        "status": {"phase": "Bound"},
    }


def pvc(
    name: str,
    namespace: str,
    *,
    volume: str,
    storage_class: str,
    size: str = "10Gi",
    access: str = "ReadWriteOnce",
) -> dict[str, Any]:
    md = meta(
        name,
        namespace,
        kind="PersistentVolumeClaim",
        annotations={"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"},
    )
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": md,
        "spec": {
            "accessModes": [access],
            "resources": {"requests": {"storage": size}},
            "storageClassName": storage_class,
            "volumeMode": "Filesystem",
            "volumeName": volume,
        },
        "status": {"phase": "Bound", "accessModes": [access], "capacity": {"storage": size}},
    }


def service(name: str, namespace: str, selector: dict[str, str], port: int = 80) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, namespace, kind="Service"),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.43.12.34",
            "clusterIPs": ["10.43.12.34"],
            "selector": selector,
            "ports": [{"name": "http", "port": port, "protocol": "TCP", "targetPort": port}],
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
        },
        "status": {"loadBalancer": {}},
    }


def gateway(
    name: str = "main-gateway",
    namespace: str = "networking",
    *,
    address: str = "192.168.10.224",
    domain: str = "fletcherlabs.net",
) -> dict[str, Any]:
    listeners = [
        {
            "name": "http",
            "port": 80,
            "protocol": "HTTP",
            "hostname": f"*.{domain}",
            "allowedRoutes": {"namespaces": {"from": "All"}},
        },
        {
            "name": "https",
            "port": 443,
            "protocol": "HTTPS",
            "hostname": f"*.{domain}",
            "allowedRoutes": {"namespaces": {"from": "All"}},
            "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "wildcard-tls"}]},
        },
    ]
    conds = [
        {
            "type": t,
            "status": "True",
            "reason": t,
            "message": "",
            "observedGeneration": 1,
            "lastTransitionTime": ts(timedelta(days=2)),
        }
        for t in ("Accepted", "Programmed")
    ]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": meta(name, namespace, kind="Gateway", generation=1),
        "spec": {"gatewayClassName": "cilium", "listeners": listeners},
        "status": {
            "addresses": [{"type": "IPAddress", "value": address}],
            "conditions": conds,
            "listeners": [
                {
                    "name": item["name"],
                    "attachedRoutes": 3,
                    "conditions": conds,
                    "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                }
                for item in listeners
            ],
        },
    }


def httproute(
    name: str, namespace: str, hostname: str, backend: str, *, section: str = "https", port: int = 80
) -> dict[str, Any]:
    parent = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": "main-gateway",
        "namespace": "networking",
        "sectionName": section,
    }
    conds = [
        {
            "type": "Accepted",
            "status": "True",
            "reason": "Accepted",
            "message": "Accepted HTTPRoute",
            "observedGeneration": 1,
            "lastTransitionTime": ts(timedelta(days=2)),
        },
        {
            "type": "ResolvedRefs",
            "status": "True",
            "reason": "ResolvedRefs",
            "message": "Service reference is valid",
            "observedGeneration": 1,
            "lastTransitionTime": ts(timedelta(days=2)),
        },
    ]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta(name, namespace, kind="HTTPRoute", generation=1),
        "spec": {
            "parentRefs": [parent],
            "hostnames": [hostname],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [
                        {"group": "", "kind": "Service", "name": backend, "port": port, "weight": 1}
                    ],
                }
            ],
        },
        "status": {
            "parents": [
                {"parentRef": parent, "controllerName": "io.cilium/gateway-controller", "conditions": conds}
            ]
        },
    }


def replicaset_for(dep: dict[str, Any]) -> dict[str, Any]:
    name = f"{dep['metadata']['name']}-7d9f8b6c5d"
    ns = dep["metadata"]["namespace"]
    labels = dict(dep["spec"]["selector"]["matchLabels"]) | {"pod-template-hash": "7d9f8b6c5d"}
    md = meta(name, ns, labels=labels, kind="ReplicaSet")
    md["ownerReferences"] = [owner_ref(dep)]
    replicas = dep["spec"]["replicas"]
    ready = dep["status"].get("readyReplicas", 0)
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": md,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": dep["spec"]["template"]["spec"]},
        },
        "status": {
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "fullyLabeledReplicas": replicas,
            "observedGeneration": 1,
        },
    }


def app_deployment(
    name: str,
    namespace: str,
    nodes: list[str],
    *,
    ready: int | None = None,
    claims: list[str] | None = None,
    node_selector: dict[str, str] | None = None,
    image: str | None = None,
    gpus: int = 0,
) -> list[dict[str, Any]]:
    """A Deployment, its ReplicaSet and one pod per entry of ``nodes`` (the first ``ready`` of them ready)."""
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}
    image = image or f"ghcr.io/onedr0p/{name}:1.0.0"
    volumes = [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims or []]
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "volumeMounts": [{"name": c, "mountPath": f"/{c}"} for c in claims or []],
    }
    if gpus:
        container["resources"] = {
            "limits": {"nvidia.com/gpu": str(gpus)},
            "requests": {"nvidia.com/gpu": str(gpus)},
        }
    pod_spec: dict[str, Any] = {"containers": [container]}
    if volumes:
        pod_spec["volumes"] = volumes
    if node_selector:
        pod_spec["nodeSelector"] = node_selector
    ready = len(nodes) if ready is None else ready
    dep = deployment(name, namespace, replicas=len(nodes), ready=ready, labels=labels, pod_spec=pod_spec)
    rs = replicaset_for(dep)
    pods = []
    for i, node_name in enumerate(nodes):
        is_ready = i < ready
        # A pod on a dead node keeps its last container state; the node controller only marks it not Ready.
        status = container_status(name, image, ready=is_ready)
        p = pod(
            f"{rs['metadata']['name']}-{'abcde'[i % 5]}{i}x7k",
            namespace,
            node_name=node_name,
            labels=rs["spec"]["selector"]["matchLabels"],
            owner=rs,
            statuses=[status],
            containers=pod_spec["containers"],
            volumes=volumes or None,
        )
        if node_selector:
            p["spec"]["nodeSelector"] = node_selector
        pods.append(p)
    return [dep, rs, *pods]


def helmrelease(name: str, namespace: str, *, ready: bool = True, message: str = "") -> dict[str, Any]:
    cond = {
        "type": "Ready",
        "status": "True" if ready else "False",
        "reason": "InstallSucceeded" if ready else "InstallFailed",
        "message": message
        or (f"Helm install succeeded for release {namespace}/{name}.v1 with chart {name}@2024.4.2"),
        "observedGeneration": 1,
        "lastTransitionTime": ts(timedelta(hours=6)),
    }
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": meta(name, namespace, kind="HelmRelease", generation=1),
        "spec": {
            "interval": "30m",
            "chart": {
                "spec": {
                    "chart": name,
                    "version": "2024.4.2",
                    "sourceRef": {"kind": "HelmRepository", "name": name, "namespace": "flux-system"},
                }
            },
        },
        "status": {"conditions": [cond], "observedGeneration": 1},
    }


def gpu_node(name: str, *, replicas: int = 4, ready: str = "True") -> dict[str, Any]:
    """A node with the NVIDIA device plugin time-slicing one T4 into ``replicas`` (GPU feature discovery labels)."""
    obj = node(
        name,
        ready=ready,
        allocatable={"nvidia.com/gpu": str(replicas), "cpu": "64", "memory": "395917848Ki"},
        labels={
            "nvidia.com/gpu.present": "true",
            "nvidia.com/gpu.product": "Tesla-T4",
            "nvidia.com/gpu.memory": "15360",
            "nvidia.com/gpu.count": "1",
            "nvidia.com/gpu.replicas": str(replicas),
            "nvidia.com/gpu.sharing-strategy": "time-slicing",
        },
    )
    return obj


def seed_cluster() -> list[dict[str, Any]]:
    """The seed homelab in a bad hour: k3s1 NotReady, Authentik's HelmRelease failing, Bazarr scaled to 0."""
    master = node("k3s-master1", control_plane=True)
    master["status"]["addresses"][0]["address"] = "192.168.10.20"
    k3s1 = node("k3s1", ready="Unknown", since=timedelta(hours=3))
    k3s1["status"]["addresses"][0]["address"] = "192.168.10.31"
    k3s2 = node("k3s2")
    k3s2["status"]["addresses"][0]["address"] = "192.168.10.32"
    k3s3 = gpu_node("k3s3")
    k3s3["status"]["addresses"][0]["address"] = "192.168.10.33"
    objs: list[dict[str, Any]] = [master, k3s1, k3s2, k3s3]
    objs += [
        longhorn_class("longhorn", default=True),
        longhorn_class("longhorn-optane", disk_selector="optane", replicas=1),
        longhorn_class("longhorn-nvme", disk_selector="nvme", replicas=1),
        storage_class("local-path", "rancher.io/local-path", binding="WaitForFirstConsumer"),
        storage_class("nfs-media", "kubernetes.io/no-provisioner"),
        longhorn_node("k3s1", {"default-disk": []}),
        longhorn_node("k3s2", {"default-disk": []}),
        longhorn_node("k3s3", {"optane-1": ["optane"], "nvme-1": ["nvme"], "default-disk": []}),
    ]
    objs += [gateway()]
    media = [
        ("jellyfin", ["k3s3"], ["media-nfs", "jellyfin-config"]),
        ("sonarr", ["k3s2"], ["media-nfs"]),
        ("radarr", ["k3s1"], ["media-nfs"]),
        ("whisparr", ["k3s3"], ["whisparr-config"]),
    ]
    objs += [
        pv_nfs("media-nfs-pv", "192.168.10.30", "/mnt/rust/media", claim=("media", "media-nfs")),
        pvc(
            "media-nfs",
            "media",
            volume="media-nfs-pv",
            storage_class="nfs-media",
            size="30Ti",
            access="ReadWriteMany",
        ),
        pv_longhorn("pvc-jellyfin-config", "longhorn", ("media", "jellyfin-config")),
        pvc("jellyfin-config", "media", volume="pvc-jellyfin-config", storage_class="longhorn"),
        pv_longhorn("pvc-whisparr-config", "longhorn-optane", ("media", "whisparr-config")),
        pvc("whisparr-config", "media", volume="pvc-whisparr-config", storage_class="longhorn-optane"),
    ]
    for name, nodes, claims in media:
        objs += app_deployment(name, "media", nodes, claims=claims, ready=0 if "k3s1" in nodes else None)
        objs += [
            service(name, "media", {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}),
            httproute(name, "media", f"{name}.fletcherlabs.net", name, section="http"),
        ]
    bazarr = app_deployment("bazarr", "media", [], claims=["media-nfs"])
    objs += [
        *bazarr,
        service("bazarr", "media", {"app.kubernetes.io/name": "bazarr"}),
        httproute("bazarr", "media", "bazarr.fletcherlabs.net", "bazarr", section="http"),
    ]
    objs += [
        *app_deployment("ollama", "ai", ["k3s3"], gpus=1, image="ollama/ollama:0.1.48"),
        service("ollama", "ai", {"app.kubernetes.io/name": "ollama", "app.kubernetes.io/instance": "ollama"}),
        httproute("ollama", "ai", "ollama.fletcherlabs.net", "ollama", section="http"),
    ]
    objs += [
        *app_deployment("grafana", "monitoring", ["k3s2"]),
        service("grafana", "monitoring", {"app.kubernetes.io/name": "grafana"}),
        httproute("grafana", "monitoring", "grafana.fletcherlabs.net", "grafana"),
    ]
    objs += [
        *app_deployment("prometheus", "monitoring", ["k3s3"], claims=["prometheus-db"]),
        pv_local_path("pvc-prometheus-db", "k3s3", ("monitoring", "prometheus-db")),
        pvc(
            "prometheus-db", "monitoring", volume="pvc-prometheus-db", storage_class="local-path", size="50Gi"
        ),
        service("prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, port=9090),
        httproute("prometheus", "monitoring", "prometheus.fletcherlabs.net", "prometheus", port=9090),
    ]
    objs += [
        helmrelease(
            "authentik",
            "authentik",
            ready=False,
            message="Helm install failed for release authentik/authentik with chart authentik@2024.4.2: "
            'secrets "authentik-secret" not found',
        )
    ]
    # An app nobody declared: the drift `inventory check` reports.
    objs += [
        *app_deployment("hubble-ui", "kube-system", ["k3s2"]),
        service("hubble-ui", "kube-system", {"app.kubernetes.io/name": "hubble-ui"}),
        httproute("hubble-ui", "kube-system", "hubble.fletcherlabs.net", "hubble-ui"),
    ]
    return objs


SEED_INVENTORY = """\
version: 1
cluster:
  name: k3s-home
  description: This K3s homelab cluster runs media services, AI workloads, and monitoring infrastructure using GitOps principles with Flux CD.
  gitops: Flux CD v2
  repository: https://github.com/sudoflux/flux-k3s
  storage: Longhorn v1.6.2 + NFS
  ingress: Gateway API with Cilium
  backup: Velero with MinIO local storage
hosts:
  - name: r730
    model: Dell R730
    label: Storage Server
    role: Hosts VMs and provides NFS storage
    addresses: [192.168.10.30]
    nfs_exports:
      - {path: /mnt/nvme_storage, media: NVMe, purpose: app configs}
      - {path: /mnt/rust/media, media: Rust/spinning disk array, size_gb: 30000, purpose: media files}
  - {name: k3s-master1, kind: vm, host: r730, cpu: {cores: 4}, ram_gb: 8, root_disk_gb: 24, os: Ubuntu 22.04 LTS}
  - name: r630
    model: Dell R630
    role: GPU compute worker node
    cpu: {model: Dual Intel Xeon E5-2697A v4, cores: 32, threads: 64}
    ram_gb: 384
    disks:
      - {model: Intel Optane, count: 2, size_gb: 110, purpose: ultra-performance tier}
      - {model: Samsung 980 PRO NVMe, count: 2, size_gb: 1000, purpose: high-performance tier}
    gpus:
      - {model: NVIDIA Tesla T4, vram_gb: 16, sharing: time-slicing, replicas: 4}
  - {name: optiplex-1, model: Dell OptiPlex Micro, role: Light compute worker nodes, network: 2.5GbE,
     features: [Intel QuickSync for hardware transcoding], disks: [{model: NVMe, size_gb: 512}]}
  - {name: optiplex-2, model: Dell OptiPlex Micro, role: Light compute worker nodes, network: 2.5GbE,
     features: [Intel QuickSync for hardware transcoding], disks: [{model: NVMe, size_gb: 512}]}
  - name: desktop
    model: Desktop (WSL2)
    planned: true
    gpus: [{model: NVIDIA RTX 4090, vram_gb: 24, limitations: Planned addition via WSL2}]
nodes:
  - {name: k3s-master1, host: k3s-master1, roles: [control-plane]}
  - {name: k3s1, host: optiplex-1}
  - {name: k3s2, host: optiplex-2}
  - {name: k3s3, host: r630}
storage:
  - tier: Replicated Block
    technology: Longhorn
    nodes: [k3s1, k3s2, k3s3]
    performance: High IOPS, Replicated
    use_case: App configs, databases, critical state
    classes:
      - {name: longhorn-optane, nodes: [k3s3], performance: Ultra-high IOPS, use_case: Performance-critical apps}
      - {name: longhorn-nvme, nodes: [k3s3], performance: High IOPS, use_case: General app storage}
      - {name: longhorn, nodes: [k3s1, k3s2, k3s3], performance: Standard, use_case: Default storage class}
  - tier: Bulk Media
    technology: NFS
    hosts: [r730]
    performance: High throughput
    use_case: Media files (30TB), large datasets
    classes: [{name: nfs-media, hosts: [r730]}]
  - tier: Ephemeral
    technology: local-path
    nodes: [k3s1, k3s2, k3s3]
    performance: Fast, non-replicated
    use_case: Caches, temp data, monitoring
    note: Monitoring stack currently on local-path, should migrate to Longhorn
    classes: [{name: local-path}]
network:
  cni: Cilium v1.15.6 with eBPF
  gateway_ip: 192.168.10.224
  ip_pool: 192.168.10.224/28
  bgp: {local_asn: 64512, peer_asn: 64513, peer_address: 192.168.10.1}
  domain: fletcherlabs.net
stacks:
  - {name: media, title: Media Stack, path: /clusters/k3s-home/apps/media/}
  - {name: ai, title: AI Stack, path: /clusters/k3s-home/apps/ai/}
  - {name: infrastructure, title: Infrastructure}
apps:
  - {name: Jellyfin, namespace: media, stack: media, url: http://jellyfin.fletcherlabs.net, notes: GPU transcoding on k3s3}
  - {name: Sonarr, namespace: media, stack: media, url: http://sonarr.fletcherlabs.net}
  - {name: Radarr, namespace: media, stack: media, url: http://radarr.fletcherlabs.net}
  - {name: Bazarr, namespace: media, stack: media, url: http://bazarr.fletcherlabs.net, notes: Pending Longhorn migration}
  - {name: Whisparr, namespace: media, stack: media, url: http://whisparr.fletcherlabs.net, notes: Using Optane storage on k3s3}
  - {name: Overseerr, namespace: media, stack: media, url: http://overseerr.fletcherlabs.net}
  - {name: Ollama, namespace: ai, stack: ai, url: http://ollama.fletcherlabs.net, notes: GPU accelerated}
  - {name: Authentik, namespace: authentik, stack: infrastructure, url: https://authentik.fletcherlabs.net}
  - {name: Grafana, namespace: monitoring, stack: infrastructure, url: https://grafana.fletcherlabs.net, must_have_auth: true}
  - {name: Prometheus, namespace: monitoring, stack: infrastructure, url: https://prometheus.fletcherlabs.net, must_have_auth: true}
architecture_notes:
  - NO nginx ingress controller - Use HTTPRoute only
key_info:
  SOPS Age Key: "`~/.config/sops/age/keys.txt`"
"""


def seed_report() -> dict[str, Any]:
    """A report as `homelabctl.analysis.analyze` builds it for :func:`seed_cluster`, written out by hand so the
    document snapshots do not move each time a check is added."""

    def finding(
        fid: str,
        check: str,
        layer: str,
        severity: str,
        kind: str,
        ns: str | None,
        name: str,
        message: str,
        hint: str,
        root: str | None = None,
    ) -> dict[str, Any]:
        return {
            "id": fid,
            "check": check,
            "layer": layer,
            "severity": severity,
            "object": {"kind": kind, "namespace": ns, "name": name},
            "message": message,
            "evidence": [],
            "hint": hint,
            "root_cause": root,
        }

    findings = [
        finding(
            "F1",
            "node-not-ready",
            "node",
            "critical",
            "Node",
            None,
            "k3s1",
            "Node k3s1 is Unknown (kubelet stopped posting status) for 3h",
            "Verify L3/L4 connectivity to k3s1 (ping, ssh, kubelet port 10250)",
        ),
        finding(
            "F2",
            "single-control-plane",
            "node",
            "warning",
            "Node",
            None,
            "k3s-master1",
            "k3s-master1 is the only control-plane node",
            "Plan a second and third server node",
        ),
        finding(
            "F3",
            "workload-replicas-unavailable",
            "workload",
            "warning",
            "Deployment",
            "media",
            "radarr",
            "Deployment media/radarr has 0/1 ready replicas",
            "kubectl -n media describe deploy radarr",
            "F1",
        ),
        finding(
            "F4",
            "flux-not-ready",
            "platform",
            "critical",
            "HelmRelease",
            "authentik",
            "authentik",
            'HelmRelease authentik/authentik is not Ready: secrets "authentik-secret" not found',
            "Create the Secret authentik/authentik-secret (SOPS) and `flux reconcile hr authentik -n authentik`",
        ),
        finding(
            "F5",
            "admin-ui-exposed-without-auth",
            "security",
            "critical",
            "HTTPRoute",
            "monitoring",
            "prometheus",
            "HTTPRoute monitoring/prometheus exposes Prometheus at prometheus.fletcherlabs.net without authentication",
            "Put oauth2-proxy in front of it",
        ),
        finding(
            "F6",
            "no-node-problem-detector",
            "monitoring",
            "info",
            "Namespace",
            None,
            "kube-system",
            "No node-problem-detector DaemonSet",
            "Deploy node-problem-detector",
        ),
    ]
    causes = [
        {
            "id": "R1",
            "finding": "F1",
            "rule": "node-down",
            "layer": "node",
            "object": {"kind": "Node", "namespace": None, "name": "k3s1"},
            "summary": "Node k3s1 is down: its pods and volumes fail with it",
            "symptoms": ["F3"],
            "confidence": {"level": "high", "score": 0.9, "evidence": []},
            "next_steps": [
                {
                    "text": "Check the node's network first",
                    "command": "ping 192.168.10.31",
                    "dangerous": False,
                },
                {
                    "text": "Force-delete pods stuck on it",
                    "command": "kubectl delete pod --force",
                    "dangerous": True,
                },
            ],
        }
    ]
    return {
        "schema": "homelabctl.report/v1",
        "generated_at": "2025-06-16T03:00:00Z",
        "reference_time": "2025-06-16T03:00:00Z",
        "source": {"type": "snapshot", "name": "seed-cluster", "server_version": None},
        "scores": {
            "cluster_health": {"score": 75, "detail": "3/4 nodes Ready"},
            "gitops": {"score": 100, "detail": "4/4 Flux objects healthy"},
            "backup": {"score": None, "detail": "not evaluated: no backup objects could be read"},
        },
        "summary": {"critical": 3, "warning": 2, "info": 1, "findings": 6, "root_causes": 1},
        "findings": findings,
        "root_causes": causes,
        "not_evaluated": [{"check": "velero-bsl-unavailable", "reason": "no BackupStorageLocation objects"}],
        "passed": ["node-pressure", "pvc-not-bound", "pod-crashloop"],
        "nodes": [
            {
                "name": "k3s-master1",
                "status": "Ready",
                "roles": ["control-plane", "master"],
                "version": "v1.32.5+k3s1",
                "issues": [],
            },
            {
                "name": "k3s1",
                "status": "Unknown",
                "roles": [],
                "version": "v1.32.5+k3s1",
                "issues": ["Node k3s1 is Unknown"],
            },
            {"name": "k3s2", "status": "Ready", "roles": [], "version": "v1.32.5+k3s1", "issues": []},
            {"name": "k3s3", "status": "Ready", "roles": [], "version": "v1.32.5+k3s1", "issues": []},
        ],
    }
