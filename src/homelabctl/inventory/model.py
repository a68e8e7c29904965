"""``homelab.yaml``: what the cluster cannot tell about itself (hardware, intent), as a pydantic model.

The JSON Schema published next to this module (``homelab.schema.json``) is generated from these classes;
a test fails when it is stale. Field descriptions are what editors show on hover, so they are written
for the person filling the file in.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1
Name = Annotated[
    str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
]
K8sName = Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")]
Text = Annotated[str, Field(min_length=1)]
_URL_RE = re.compile(r"^https?://[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?(:\d+)?(/\S*)?$")


class _Model(BaseModel):
    # Unknown keys are typos far more often than intent; reject them (with their line) instead of ignoring.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Cluster(_Model):
    name: Name = Field(description="Cluster name, e.g. k3s-home.")
    distribution: str = Field("K3s", description="Kubernetes distribution (K3s, RKE2, kubeadm...).")
    description: str | None = Field(
        None, description="One paragraph: what the cluster runs and how it is managed."
    )
    gitops: str | None = Field(None, description="GitOps tool and version, e.g. 'Flux CD v2'.")
    repository: str | None = Field(None, description="URL of the GitOps repository.")
    manifests_path: str | None = Field(
        None, description="Path of this cluster's manifests in the repository."
    )
    storage: str | None = Field(
        None, description="Storage summary for the architecture section, e.g. 'Longhorn v1.6.2 + NFS'."
    )
    ingress: str | None = Field(None, description="How traffic gets in, e.g. 'Gateway API with Cilium'.")
    backup: str | None = Field(
        None, description="Backup summary, e.g. 'Velero with MinIO local storage + Backblaze B2'."
    )


class Site(_Model):
    name: Name
    description: str | None = None


class Cpu(_Model):
    model: str | None = Field(None, description="e.g. 'Dual Intel Xeon E5-2697A v4'.")
    cores: int | None = Field(None, ge=1, description="Physical cores (vCPUs for a VM).")
    threads: int | None = Field(None, ge=1)


class Disk(_Model):
    model: Text = Field(description="e.g. 'Samsung 980 PRO NVMe'.")
    count: int = Field(1, ge=1)
    size_gb: float | None = Field(None, gt=0, description="Size of one disk in GB (1000 for 1TB).")
    purpose: str | None = Field(None, description="e.g. 'ultra-performance tier'.")
    storage_class: K8sName | None = Field(None, description="Storage class this disk backs, if any.")


class NfsExport(_Model):
    path: Text = Field(description="Exported path, e.g. /mnt/rust/media.")
    purpose: str | None = Field(None, description="e.g. 'media files'.")
    size_gb: float | None = Field(None, gt=0)
    media: str | None = Field(None, description="What it sits on, e.g. 'NVMe', 'spinning disk array'.")


class Gpu(_Model):
    model: Text = Field(description="e.g. 'NVIDIA Tesla T4'.")
    vram_gb: int = Field(ge=1)
    count: int = Field(1, ge=1)
    sharing: Literal["none", "time-slicing", "mps", "mig"] = Field(
        "none", description="How the GPU is shared between pods."
    )
    replicas: int | None = Field(
        None, ge=1, description="Time-slicing/MPS replicas the device plugin advertises."
    )
    resource: str = Field("nvidia.com/gpu", description="Extended resource name pods request.")
    limitations: str | None = Field(None, description="Shown in the GPU table, e.g. 'No memory isolation'.")


class Host(_Model):
    name: Name = Field(description="Short unique id, referenced by nodes, VMs and storage (e.g. r730).")
    model: str | None = Field(None, description="Hardware model, e.g. 'Dell R730'.")
    label: str | None = Field(
        None, description="Heading label when no node runs on it, e.g. 'Storage Server'."
    )
    kind: Literal["physical", "vm"] = "physical"
    host: Name | None = Field(None, description="For a VM: the host it runs on.")
    site: Name | None = None
    role: str | None = Field(None, description="e.g. 'Hosts VMs and provides NFS storage'.")
    cpu: Cpu | None = None
    ram_gb: int | None = Field(None, ge=1)
    root_disk_gb: int | None = Field(None, ge=1)
    os: str | None = None
    network: str | None = Field(None, description="e.g. '2.5GbE (USB NIC)'.")
    addresses: list[str] = Field(
        default_factory=list, description="IPs and DNS names; NFS volumes are matched to hosts by these."
    )
    features: list[str] = Field(
        default_factory=list, description="e.g. 'Intel QuickSync for hardware transcoding'."
    )
    disks: list[Disk] = Field(default_factory=list)
    nfs_exports: list[NfsExport] = Field(default_factory=list)
    gpus: list[Gpu] = Field(default_factory=list)
    planned: bool = Field(False, description="Not built yet (shown as planned, ignored by checks).")
    notes: list[str] = Field(default_factory=list)


Role = Literal["control-plane", "worker", "etcd"]


def _worker() -> list[Role]:
    return ["worker"]


class Node(_Model):
    name: K8sName = Field(description="Kubernetes node name, exactly as `kubectl get nodes` prints it.")
    host: Name = Field(description="The host (physical or VM) this node runs on.")
    roles: list[Role] = Field(default_factory=_worker)


class StorageClassSpec(_Model):
    name: K8sName = Field(description="StorageClass name.")
    nodes: list[K8sName] = Field(default_factory=list, description="Nodes whose disks back this class.")
    hosts: list[Name] = Field(default_factory=list, description="Hosts that serve it (the NFS server).")
    placement: Literal["replicated", "server", "node-local"] | None = Field(
        None,
        description="replicated: survives while one backing node is up (Longhorn); server: lives on one "
        "server (NFS); node-local: each volume is pinned to the node it was created on "
        "(local-path). Default: from the tier's technology.",
    )
    performance: str | None = None
    use_case: str | None = None


class StorageTier(_Model):
    tier: Text = Field(description="e.g. 'Replicated Block', 'Bulk Media', 'Ephemeral'.")
    technology: Text = Field(description="Longhorn, NFS, local-path, ...")
    nodes: list[K8sName] = Field(default_factory=list)
    hosts: list[Name] = Field(default_factory=list)
    performance: str | None = None
    use_case: str | None = None
    note: str | None = Field(None, description="Footnote under the storage tier table.")
    classes: list[StorageClassSpec] = Field(default_factory=list)

    def placement_of(self, spec: StorageClassSpec) -> str:
        if spec.placement:
            return spec.placement
        tech = self.technology.lower()
        if "nfs" in tech or "smb" in tech or "iscsi" in tech:
            return "server"
        if "local" in tech or "hostpath" in tech:
            return "node-local"
        return "replicated"


class Bgp(_Model):
    local_asn: int = Field(ge=1, le=4294967295, description="The cluster's ASN (Cilium), e.g. 64512.")
    peer_asn: int = Field(ge=1, le=4294967295, description="The router's ASN, e.g. 64513.")
    peer_address: str | None = Field(None, description="The router's address, e.g. 192.168.10.1.")

    @field_validator("peer_address")
    @classmethod
    def _ip(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.ip_address(value)
        return value


class Network(_Model):
    cni: str | None = Field(None, description="e.g. 'Cilium v1.15.6 with eBPF'.")
    cni_mode: str | None = Field(None, description="e.g. 'Tunnel (VXLAN)'.")
    kube_proxy: str | None = Field(None, description="e.g. 'Replaced by eBPF (no iptables)'.")
    gateway_api: str | None = Field(
        None, description="e.g. 'v1.1.0 with ALPN and app-protocol support enabled'."
    )
    gateway_ip: str | None = Field(None, description="LoadBalancer IP of the main Gateway.")
    ip_pool: str | None = Field(None, description="LoadBalancer IP pool (CIDR).")
    bgp: Bgp | None = None
    domain: str | None = Field(None, description="Services are published as *.<domain>.")
    tls: str | None = Field(None, description="e.g. 'cert-manager with Let's Encrypt (HTTP-01 challenges)'.")
    links: str | None = Field(None, description="Physical links, e.g. 'All nodes on shared 2.5GbE'.")

    @field_validator("gateway_ip")
    @classmethod
    def _gateway_ip(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.ip_address(value)
        return value

    @field_validator("ip_pool")
    @classmethod
    def _pool(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.ip_network(value, strict=False)
        return value


class Stack(_Model):
    name: Name = Field(description="Referenced by apps (e.g. media).")
    title: str | None = Field(None, description="Table heading, e.g. 'Media Stack'.")
    path: str | None = Field(None, description="Where its manifests live in the GitOps repository.")


class App(_Model):
    name: Text = Field(description="Display name, e.g. 'Open WebUI'.")
    id: K8sName | None = Field(
        None, description="Matches workloads and labels; default: the name, lowercased, spaces to dashes."
    )
    namespace: K8sName
    stack: Name
    url: str | None = Field(None, description="Public URL; its host is matched against HTTPRoute hostnames.")
    notes: str | None = None
    must_have_auth: bool = Field(
        False, description="An admin UI that must never be reachable without a login."
    )
    workloads: list[str] = Field(
        default_factory=list, description="Explicit 'Kind/name' (Deployment/ollama) when names do not match."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _URL_RE.match(value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("workloads")
    @classmethod
    def _workloads(cls, value: list[str]) -> list[str]:
        for item in value:
            kind, _, name = item.partition("/")
            if kind not in ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod") or not name:
                raise ValueError(
                    f"{item!r}: expected Deployment|StatefulSet|DaemonSet|CronJob|Job|Pod/<name>"
                )
        return value

    @property
    def slug(self) -> str:
        return self.id or re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def host(self) -> str | None:
        if not self.url:
            return None
        rest = self.url.split("://", 1)[1]
        return rest.split("/", 1)[0].split(":", 1)[0].lower()


class Inventory(_Model):
    """homelab.yaml: the hardware and the intent of a homelab, read by `homelabctl docs`, `whatif`, `handoff`."""

    version: Literal[1] = Field(1, description="Format version of this file.")
    cluster: Cluster
    sites: list[Site] = Field(default_factory=list)
    hosts: list[Host] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    storage: list[StorageTier] = Field(default_factory=list)
    network: Network = Field(default_factory=lambda: Network.model_validate({}))
    stacks: list[Stack] = Field(default_factory=list)
    apps: list[App] = Field(default_factory=list)
    architecture_notes: list[str] = Field(
        default_factory=list, description="Shown in handoffs, e.g. 'NO nginx ingress'."
    )
    key_info: dict[str, str] = Field(default_factory=dict, description="Label → value, e.g. 'SOPS Age Key'.")

    # -- lookups used by the generators ----------------------------------------------------------------------
    def host_named(self, name: str) -> Host | None:
        return next((h for h in self.hosts if h.name == name), None)

    def node_named(self, name: str) -> Node | None:
        return next((n for n in self.nodes if n.name == name), None)

    def stack_named(self, name: str) -> Stack | None:
        return next((s for s in self.stacks if s.name == name), None)

    def vms_on(self, host: str) -> list[Host]:
        return [h for h in self.hosts if h.kind == "vm" and h.host == host]

    def nodes_on(self, host: str) -> list[Node]:
        return [n for n in self.nodes if n.host == host]

    def storage_classes(self) -> list[tuple[StorageTier, StorageClassSpec]]:
        return [(tier, spec) for tier in self.storage for spec in tier.classes]
