"""Builders for the objects the diagnosis checks read: EndpointSlices and Endpoints, NFS PersistentVolumes,
NetworkPolicies, admission webhook configurations, Helm release Secrets and Longhorn Replicas — shaped as
the API server returns them (labels and owner references the controllers set)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from factories import meta, owner_ref, ts, uid


def endpoint_slice(
    svc: dict[str, Any],
    endpoints: list[tuple[str, str, bool]],
    *,
    node_name: str = "k3s2",
    suffix: str = "x7k2p",
) -> dict[str, Any]:
    """The slice the EndpointSlice controller writes for a Service: (ip, pod name, ready) per endpoint."""
    md = svc["metadata"]
    ports = [
        {
            "name": p.get("name", ""),
            "port": p.get("targetPort", p.get("port")),
            "protocol": p.get("protocol", "TCP"),
        }
        for p in svc["spec"].get("ports") or []
    ]
    items = []
    for ip, pod_name, ready in endpoints:
        items.append(
            {
                "addresses": [ip],
                "nodeName": node_name,
                "conditions": {"ready": ready, "serving": ready, "terminating": False},
                "targetRef": {
                    "kind": "Pod",
                    "name": pod_name,
                    "namespace": md["namespace"],
                    "uid": uid(f"Pod/{pod_name}"),
                },
            }
        )
    slice_md = meta(
        f"{md['name']}-{suffix}",
        md["namespace"],
        kind="EndpointSlice",
        labels={
            "kubernetes.io/service-name": md["name"],
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        },
        generateName=f"{md['name']}-",
        ownerReferences=[owner_ref(svc)],
    )
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": slice_md,
        "addressType": "IPv4",
        "endpoints": items,
        "ports": ports,
    }


def endpoints(
    svc: dict[str, Any],
    *,
    ready: list[tuple[str, str]],
    not_ready: list[tuple[str, str]],
    node_name: str = "k3s2",
) -> dict[str, Any]:
    """The legacy Endpoints object (same name as the Service); empty subsets when nothing backs it."""
    md = svc["metadata"]

    def addr(ip: str, pod_name: str) -> dict[str, Any]:
        return {
            "ip": ip,
            "nodeName": node_name,
            "targetRef": {
                "kind": "Pod",
                "name": pod_name,
                "namespace": md["namespace"],
                "uid": uid(f"Pod/{pod_name}"),
            },
        }

    subset: dict[str, Any] = {
        "ports": [
            {"name": p.get("name", ""), "port": p.get("targetPort", p.get("port")), "protocol": "TCP"}
            for p in svc["spec"].get("ports") or []
        ]
    }
    if ready:
        subset["addresses"] = [addr(ip, name) for ip, name in ready]
    if not_ready:
        subset["notReadyAddresses"] = [addr(ip, name) for ip, name in not_ready]
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": meta(md["name"], md["namespace"], kind="Endpoints"),
    }
    if ready or not_ready:
        body["subsets"] = [subset]
    return body


def nfs_pv(
    name: str,
    server: str,
    path: str,
    *,
    csi: bool = False,
    claim: tuple[str, str] | None = None,
    storage_class: str = "nfs",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "capacity": {"storage": "1Ti"},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": storage_class,
        "volumeMode": "Filesystem",
        "mountOptions": ["nfsvers=4.1"],
    }
    if csi:
        spec["csi"] = {
            "driver": "nfs.csi.k8s.io",
            "volumeHandle": f"{server}#{path.strip('/')}##",
            "volumeAttributes": {"server": server, "share": path},
        }
    else:
        spec["nfs"] = {"server": server, "path": path}
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


def bound_claim(name: str, namespace: str, volume: str, storage_class: str = "nfs") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(
            name,
            namespace,
            kind="PersistentVolumeClaim",
            annotations={"pv.kubernetes.io/bind-completed": "yes"},
        ),
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": "1Ti"}},
            "storageClassName": storage_class,
            "volumeMode": "Filesystem",
            "volumeName": volume,
        },
        "status": {"phase": "Bound", "accessModes": ["ReadWriteMany"], "capacity": {"storage": "1Ti"}},
    }


def network_policy(
    name: str,
    namespace: str,
    *,
    pod_selector: dict[str, Any] | None = None,
    ingress: list[dict[str, Any]] | None = None,
    policy_types: list[str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": pod_selector or {}, "policyTypes": policy_types or ["Ingress"]}
    if ingress is not None:
        spec["ingress"] = ingress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(name, namespace, kind="NetworkPolicy", generation=1),
        "spec": spec,
    }


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": meta(
            name, kind="Namespace", labels={"kubernetes.io/metadata.name": name, **(labels or {})}
        ),
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def webhook_configuration(
    name: str, webhooks: list[tuple[str, str, str]], *, mutating: bool = False, failure_policy: str = "Fail"
) -> dict[str, Any]:
    """(webhook name, service namespace, service name) per webhook, as cert-manager/kyverno charts install."""
    kind = "MutatingWebhookConfiguration" if mutating else "ValidatingWebhookConfiguration"
    items = [
        {
            "name": hook,
            "admissionReviewVersions": ["v1"],
            "sideEffects": "None",
            "timeoutSeconds": 10,
            "failurePolicy": failure_policy,
            "matchPolicy": "Equivalent",
            "namespaceSelector": {},
            "objectSelector": {},
            "rules": [
                {
                    "apiGroups": [""],
                    "apiVersions": ["v1"],
                    "operations": ["CREATE", "UPDATE"],
                    "resources": ["pods"],
                    "scope": "*",
                }
            ],
            "clientConfig": {
                "service": {"namespace": ns, "name": svc, "path": "/validate", "port": 443},
                "caBundle": "LS0tLS1CRUdJTi...",
            },
        }
        for hook, ns, svc in webhooks
    ]
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": meta(name, kind=kind, generation=1),
        "webhooks": items,
    }


def helm_secret(
    release: str, namespace: str, version: int, status: str, *, age: timedelta = timedelta(hours=2)
) -> dict[str, Any]:
    """The Secret Helm 3 stores a release revision in (``sh.helm.release.v1.<name>.v<N>``)."""
    md = meta(
        f"sh.helm.release.v1.{release}.v{version}",
        namespace,
        kind="Secret",
        age=age,
        labels={"name": release, "owner": "helm", "status": status, "version": str(version)},
    )
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": md,
        "data": {"release": "SDRzSUFBQUFBQUFDLzZ4YWUzUGJ0cExQZ0lQRVhXbF8="},
    }


def longhorn_replica(
    volume: dict[str, Any],
    suffix: str,
    node_name: str,
    *,
    failed: timedelta | None = None,
    state: str = "running",
) -> dict[str, Any]:
    """A ``replicas.longhorn.io`` object as longhorn-manager keeps it: ``spec.failedAt`` set once it failed."""
    vol = volume["metadata"]["name"]
    disk = f"default-disk-{uid(node_name)[:12]}"
    return {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Replica",
        "metadata": meta(
            f"{vol}-r-{suffix}",
            "longhorn-system",
            kind="Replica",
            labels={"longhornnode": node_name, "longhornvolume": vol, "longhorndiskuuid": uid(disk)},
            ownerReferences=[owner_ref(volume)],
        ),
        "spec": {
            "volumeName": vol,
            "nodeID": node_name,
            "diskID": uid(disk),
            "diskPath": "/var/lib/longhorn/",
            "dataDirectoryName": f"{vol}-{suffix[:8]}",
            "active": True,
            "desireState": state if not failed else "stopped",
            "failedAt": ts(failed) if failed is not None else "",
            "healthyAt": ts(timedelta(days=3)),
            "lastHealthyAt": ts(failed if failed is not None else timedelta(0)),
            "image": "longhornio/longhorn-engine:v1.6.2",
        },
        "status": {
            "currentState": "error" if failed is not None else state,
            "ownerID": node_name,
            "instanceManagerName": f"instance-manager-{uid(node_name)[:8]}",
            "started": failed is None,
        },
    }
