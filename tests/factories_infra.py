"""Builders for the network and storage objects of the seed homelab, shaped as the controllers emit them.

Cilium agent DaemonSet/pods and ``cilium-config``, Gateway API objects, Cilium BGP and LB-IPAM CRs,
StorageClasses, CSINodes/CSIDrivers, PVCs/PVs, the Longhorn CSI DaemonSet and its driver deployer,
Longhorn ``volumes``/``nodes`` and the Flux HelmRelease that installs Longhorn.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homelabctl.kube import K3S_KUBELET_DIR

from factories import container_status, meta, pod, ts, uid

CILIUM_IMAGE = (
    "quay.io/cilium/cilium:v1.15.6@sha256:6aa840986a3a9722cd967ef63248d675a87add7e1704740902d5d3162f0c0def"
)
LONGHORN_MANAGER_IMAGE = "longhornio/longhorn-manager:v1.6.2"
REGISTRAR_IMAGE = "longhornio/csi-node-driver-registrar:v2.9.2"


# -- generic -----------------------------------------------------------------------------------------------
def daemonset(
    name: str,
    namespace: str,
    *,
    labels: dict[str, str],
    pod_spec: dict[str, Any],
    desired: int = 3,
    ready: int | None = None,
) -> dict[str, Any]:
    ready = desired if ready is None else ready
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta(
            name,
            namespace,
            labels=labels,
            kind="DaemonSet",
            generation=1,
            annotations={"deprecated.daemonset.template.generation": "1"},
        ),
        "spec": {
            "selector": {"matchLabels": labels},
            "revisionHistoryLimit": 10,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
            },
            "template": {"metadata": {"labels": labels}, "spec": pod_spec},
        },
        "status": {
            "currentNumberScheduled": desired,
            "desiredNumberScheduled": desired,
            "numberAvailable": ready,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "observedGeneration": 1,
            "updatedNumberScheduled": desired,
            **({"numberUnavailable": desired - ready} if ready < desired else {}),
        },
    }


def daemon_pod(
    ds: dict[str, Any],
    node_name: str,
    suffix: str,
    *,
    statuses: list[dict[str, Any]],
    init_statuses: list[dict[str, Any]] | None = None,
    ready: bool | None = None,
    phase: str = "Running",
) -> dict[str, Any]:
    """A DaemonSet pod as the DaemonSet controller creates it: owner, target-node affinity, hash label."""
    template = ds["spec"]["template"]
    labels = {
        **template["metadata"]["labels"],
        "controller-revision-hash": "5d8c9f7b6d",
        "pod-template-generation": "1",
    }
    obj = pod(
        f"{ds['metadata']['name']}-{suffix}",
        ds["metadata"]["namespace"],
        node_name=node_name,
        phase=phase,
        labels=labels,
        owner=ds,
        containers=template["spec"]["containers"],
        statuses=statuses,
        ready=ready,
    )
    spec = obj["spec"]
    for key, value in template["spec"].items():
        if key != "containers":
            spec[key] = value
    spec["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
                ]
            }
        }
    }
    spec["tolerations"] = [{"operator": "Exists"}]
    if init_statuses:
        obj["status"]["initContainerStatuses"] = init_statuses
    return obj


def init_done(name: str, image: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "imageID": f"{image.split('@')[0]}@sha256:{'d' * 64}",
        "containerID": f"containerd://{'e' * 64}",
        "ready": True,
        "restartCount": 0,
        "started": False,
        "state": {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": ts(timedelta(days=2)),
                "finishedAt": ts(timedelta(days=2)),
            }
        },
        "lastState": {},
    }


def configmap(name: str, namespace: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(name, namespace, kind="ConfigMap"),
        "data": data,
    }


# -- Cilium ------------------------------------------------------------------------------------------------
CILIUM_INIT = (
    "config",
    "mount-cgroup",
    "apply-sysctl-overwrites",
    "mount-bpf-fs",
    "clean-cilium-state",
    "install-cni-binaries",
)


def cilium_daemonset(
    *, desired: int = 3, ready: int | None = None, node_selector: dict[str, str] | None = None
) -> dict[str, Any]:
    labels = {
        "k8s-app": "cilium",
        "app.kubernetes.io/name": "cilium-agent",
        "app.kubernetes.io/part-of": "cilium",
    }
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "cilium-agent",
                "image": CILIUM_IMAGE,
                "command": ["cilium-agent"],
                "args": ["--config-dir=/tmp/cilium/config-map"],
                "readinessProbe": {
                    "httpGet": {
                        "host": "127.0.0.1",
                        "path": "/healthz",
                        "port": 9879,
                        "scheme": "HTTP",
                        "httpHeaders": [{"name": "brief", "value": "true"}],
                    },
                    "periodSeconds": 30,
                    "failureThreshold": 3,
                },
            }
        ],
        "initContainers": [{"name": n, "image": CILIUM_IMAGE} for n in CILIUM_INIT],
        "hostNetwork": True,
        "priorityClassName": "system-node-critical",
        "serviceAccountName": "cilium",
        "nodeSelector": node_selector or {"kubernetes.io/os": "linux"},
    }
    return daemonset("cilium", "kube-system", labels=labels, pod_spec=spec, desired=desired, ready=ready)


def cilium_pod(
    ds: dict[str, Any],
    node_name: str,
    suffix: str,
    *,
    ready: bool = True,
    waiting: str = "",
    message: str = "",
    restarts: int = 0,
    last_message: str = "",
) -> dict[str, Any]:
    if ready:
        status = container_status("cilium-agent", CILIUM_IMAGE, restarts=restarts)
    elif waiting:
        status = container_status(
            "cilium-agent",
            CILIUM_IMAGE,
            state="waiting",
            reason=waiting,
            message=message,
            restarts=restarts,
            last_terminated={"message": last_message} if last_message else None,
        )
    else:
        status = container_status("cilium-agent", CILIUM_IMAGE, ready=False, restarts=restarts)
    return daemon_pod(
        ds,
        node_name,
        suffix,
        statuses=[status],
        ready=ready,
        init_statuses=[init_done(n, CILIUM_IMAGE) for n in CILIUM_INIT],
    )


def cilium_config(**overrides: str | None) -> dict[str, Any]:
    """``kube-system/cilium-config`` as the Cilium 1.15 chart renders it for the seed cluster."""
    data: dict[str, str] = {
        "cluster-name": "default",
        "cluster-id": "0",
        "routing-mode": "tunnel",
        "tunnel-protocol": "vxlan",
        "kube-proxy-replacement": "true",
        "ipam": "kubernetes",
        "enable-ipv4": "true",
        "enable-ipv6": "false",
        "enable-bgp-control-plane": "true",
        "enable-l2-announcements": "false",
        "enable-gateway-api": "true",
        "enable-gateway-api-secrets-sync": "true",
        "enable-gateway-api-alpn": "true",
        "enable-gateway-api-app-protocol": "true",
        "gateway-api-secrets-namespace": "cilium-secrets",
        "enable-hubble": "true",
        "enable-envoy-config": "true",
        "external-envoy-proxy": "true",
    }
    for key, value in overrides.items():
        real = key.replace("_", "-")
        if value is None:
            data.pop(real, None)
        else:
            data[real] = value
    return configmap("cilium-config", "kube-system", data)


def gateway_class(name: str = "cilium", controller: str = "io.cilium/gateway-controller") -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": meta(name, kind="GatewayClass", generation=1),
        "spec": {"controllerName": controller, "description": "The default Cilium GatewayClass"},
        "status": {
            "conditions": [
                {
                    "type": "Accepted",
                    "status": "True",
                    "reason": "Accepted",
                    "message": "Valid GatewayClass",
                    "observedGeneration": 1,
                    "lastTransitionTime": ts(timedelta(days=20)),
                }
            ]
        },
    }


def gateway(
    name: str = "main-gateway",
    namespace: str = "networking",
    *,
    class_name: str = "cilium",
    address: str = "192.168.10.224",
) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": meta(name, namespace, kind="Gateway", generation=1),
        "spec": {
            "gatewayClassName": class_name,
            "listeners": [
                {
                    "name": "http",
                    "port": 80,
                    "protocol": "HTTP",
                    "allowedRoutes": {"namespaces": {"from": "All"}},
                },
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "*.fletcherlabs.net",
                    "allowedRoutes": {"namespaces": {"from": "All"}},
                    "tls": {
                        "mode": "Terminate",
                        "certificateRefs": [
                            {"group": "", "kind": "Secret", "name": "wildcard-fletcherlabs-net-tls"}
                        ],
                    },
                },
            ],
        },
        "status": {
            "addresses": [{"type": "IPAddress", "value": address}],
            "conditions": [
                {
                    "type": "Accepted",
                    "status": "True",
                    "reason": "Accepted",
                    "message": "Gateway successfully scheduled",
                    "observedGeneration": 1,
                    "lastTransitionTime": ts(timedelta(days=2)),
                },
                {
                    "type": "Programmed",
                    "status": "True",
                    "reason": "Programmed",
                    "message": "Gateway successfully reconciled",
                    "observedGeneration": 1,
                    "lastTransitionTime": ts(timedelta(days=2)),
                },
            ],
        },
    }


def httproute(
    name: str,
    namespace: str,
    host: str,
    service: str,
    port: int = 80,
    *,
    gateway_name: str = "main-gateway",
    gateway_ns: str = "networking",
) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta(name, namespace, kind="HTTPRoute", generation=1),
        "spec": {
            "parentRefs": [
                {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "name": gateway_name,
                    "namespace": gateway_ns,
                    "sectionName": "https",
                }
            ],
            "hostnames": [host],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [
                        {"group": "", "kind": "Service", "name": service, "port": port, "weight": 1}
                    ],
                }
            ],
        },
        "status": {
            "parents": [
                {
                    "parentRef": {
                        "group": "gateway.networking.k8s.io",
                        "kind": "Gateway",
                        "name": gateway_name,
                        "namespace": gateway_ns,
                    },
                    "controllerName": "io.cilium/gateway-controller",
                    "conditions": [
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
                    ],
                }
            ]
        },
    }


def bgp_peering_policy(
    name: str = "bgp-peering-policy",
    *,
    match_labels: dict[str, str] | None = None,
    local_asn: int = 64512,
    peer: str = "192.168.10.1/32",
    peer_asn: int = 64513,
    no_selector: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "virtualRouters": [
            {
                "localASN": local_asn,
                "exportPodCIDR": False,
                "serviceSelector": {
                    "matchExpressions": [
                        {"key": "somekey", "operator": "NotIn", "values": ["never-used-value"]}
                    ]
                },
                "neighbors": [
                    {
                        "peerAddress": peer,
                        "peerASN": peer_asn,
                        "eBGPMultihopTTL": 1,
                        "connectRetryTimeSeconds": 120,
                        "holdTimeSeconds": 90,
                        "keepAliveTimeSeconds": 30,
                        "gracefulRestart": {"enabled": True, "restartTimeSeconds": 120},
                    }
                ],
            }
        ]
    }
    if not no_selector:
        spec["nodeSelector"] = {
            "matchLabels": match_labels if match_labels is not None else {"bgp-policy": "default"}
        }
    return {
        "apiVersion": "cilium.io/v2alpha1",
        "kind": "CiliumBGPPeeringPolicy",
        "metadata": meta(name, kind="CiliumBGPPeeringPolicy", generation=1),
        "spec": spec,
    }


def bgp_cluster_config(
    name: str = "cilium-bgp",
    *,
    match_labels: dict[str, str] | None = None,
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "cilium.io/v2alpha1",
        "kind": "CiliumBGPClusterConfig",
        "metadata": meta(name, kind="CiliumBGPClusterConfig", generation=1),
        "spec": {
            "nodeSelector": {"matchLabels": match_labels or {"bgp-policy": "default"}},
            "bgpInstances": [
                {
                    "name": "instance-64512",
                    "localASN": 64512,
                    "peers": [
                        {
                            "name": "router",
                            "peerASN": 64513,
                            "peerAddress": "192.168.10.1",
                            "peerConfigRef": {
                                "group": "cilium.io",
                                "kind": "CiliumBGPPeerConfig",
                                "name": "cilium-peer",
                            },
                        }
                    ],
                }
            ],
        },
    }
    if conditions is not None:
        obj["status"] = {"conditions": conditions}
    return obj


def lb_ip_pool(
    name: str = "main-pool",
    *,
    cidr: str = "192.168.10.224/28",
    total: int = 16,
    used: int = 2,
    conflict: bool = False,
    service_selector: dict[str, Any] | None = None,
) -> dict[str, Any]:
    def cond(type_: str, status: str, reason: str, message: str) -> dict[str, Any]:
        return {
            "type": type_,
            "status": status,
            "reason": reason,
            "message": message,
            "observedGeneration": 1,
            "lastTransitionTime": ts(timedelta(hours=3)),
        }

    spec: dict[str, Any] = {"blocks": [{"cidr": cidr}], "disabled": False}
    if service_selector is not None:
        spec["serviceSelector"] = service_selector
    return {
        "apiVersion": "cilium.io/v2alpha1",
        "kind": "CiliumLoadBalancerIPPool",
        "metadata": meta(name, kind="CiliumLoadBalancerIPPool", generation=1),
        "spec": spec,
        "status": {
            "conditions": [
                cond("cilium.io/IPsTotal", "Unknown", "noreason", str(total)),
                cond("cilium.io/IPsAvailable", "Unknown", "noreason", str(total - used)),
                cond("cilium.io/IPsUsed", "Unknown", "noreason", str(used)),
                cond(
                    "cilium.io/PoolConflict",
                    "True" if conflict else "False",
                    "cidr_overlap" if conflict else "resolved",
                    f'Pool overlaps with CIDR of "other-pool" {cidr}' if conflict else "",
                ),
            ]
        },
    }


def lb_service(
    name: str,
    namespace: str,
    *,
    ip: str | None = "192.168.10.224",
    age: timedelta = timedelta(days=2),
    labels: dict[str, str] | None = None,
    cilium_reason: str | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {"loadBalancer": {}}
    if ip:
        status["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]}
    if cilium_reason:
        messages = {
            "no_pool": "There are no enabled CiliumLoadBalancerIPPools that match this service",
            "out_of_ips": "There are no more free IPs in the pool",
        }
        status["conditions"] = [
            {
                "type": "cilium.io/IPAMRequestSatisfied",
                "status": "False",
                "reason": cilium_reason,
                "message": messages.get(cilium_reason, cilium_reason),
                "observedGeneration": 1,
                "lastTransitionTime": ts(age),
            }
        ]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(
            name, namespace, labels=labels or {"app.kubernetes.io/name": name}, kind="Service", age=age
        ),
        "spec": {
            "type": "LoadBalancer",
            "clusterIP": "10.43.12.7",
            "clusterIPs": ["10.43.12.7"],
            "externalTrafficPolicy": "Cluster",
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "allocateLoadBalancerNodePorts": True,
            "ports": [
                {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443, "nodePort": 31443}
            ],
            "selector": {"app.kubernetes.io/name": name},
            "sessionAffinity": "None",
        },
        "status": status,
    }


# -- storage -----------------------------------------------------------------------------------------------
def storage_class(
    name: str,
    provisioner: str = "driver.longhorn.io",
    *,
    default: bool = False,
    binding_mode: str = "Immediate",
    parameters: dict[str, str] | None = None,
    age: timedelta = timedelta(days=30),
    allowed_hostnames: list[str] | None = None,
) -> dict[str, Any]:
    annotations: dict[str, str] = {}
    if default:
        annotations["storageclass.kubernetes.io/is-default-class"] = "true"
    if provisioner == "rancher.io/local-path":
        annotations["objectset.rio.cattle.io/id"] = ""
        annotations["objectset.rio.cattle.io/owner-name"] = "local-storage"
    if parameters is None and provisioner == "driver.longhorn.io":
        parameters = {
            "numberOfReplicas": "3",
            "staleReplicaTimeout": "30",
            "fromBackup": "",
            "fsType": "ext4",
            "dataLocality": "disabled",
        }
    obj: dict[str, Any] = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta(name, kind="StorageClass", age=age, annotations=annotations),
        "provisioner": provisioner,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": binding_mode,
        "allowVolumeExpansion": provisioner != "rancher.io/local-path",
    }
    if parameters:
        obj["parameters"] = parameters
    if allowed_hostnames:
        obj["allowedTopologies"] = [
            {"matchLabelExpressions": [{"key": "kubernetes.io/hostname", "values": allowed_hostnames}]}
        ]
    return obj


def csi_node(node_name: str, drivers: list[str]) -> dict[str, Any]:
    md = meta(
        node_name,
        kind="CSINode",
        annotations={
            "storage.alpha.kubernetes.io/migrated-plugins": "kubernetes.io/aws-ebs,kubernetes.io/azure-disk,"
            "kubernetes.io/azure-file,kubernetes.io/cinder,kubernetes.io/gce-pd,kubernetes.io/portworx-volume,"
            "kubernetes.io/vsphere-volume"
        },
    )
    md["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": uid(f"Node/None/{node_name}")}
    ]
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "CSINode",
        "metadata": md,
        "spec": {"drivers": [{"name": d, "nodeID": node_name, "topologyKeys": None} for d in drivers]},
    }


def csi_driver(name: str = "driver.longhorn.io") -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "CSIDriver",
        "metadata": meta(name, kind="CSIDriver"),
        "spec": {
            "attachRequired": True,
            "fsGroupPolicy": "ReadWriteOnceWithFSType",
            "podInfoOnMount": True,
            "requiresRepublish": False,
            "seLinuxMount": False,
            "storageCapacity": False,
            "volumeLifecycleModes": ["Persistent"],
        },
    }


def pvc(
    name: str,
    namespace: str,
    storage_class_name: str | None = "longhorn",
    *,
    phase: str = "Bound",
    size: str = "10Gi",
    labels: dict[str, str] | None = None,
    provisioner: str = "driver.longhorn.io",
    selected_node: str | None = None,
    age: timedelta = timedelta(days=5),
) -> dict[str, Any]:
    volume = f"pvc-{uid(namespace + name)}"
    annotations = {
        "volume.beta.kubernetes.io/storage-provisioner": provisioner,
        "volume.kubernetes.io/storage-provisioner": provisioner,
    }
    if phase == "Bound":
        annotations.update(
            {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"}
        )
    if selected_node:
        annotations["volume.kubernetes.io/selected-node"] = selected_node
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}},
        "volumeMode": "Filesystem",
    }
    if storage_class_name is not None:
        spec["storageClassName"] = storage_class_name
    status: dict[str, Any] = {"phase": phase}
    if phase == "Bound":
        spec["volumeName"] = volume
        status.update({"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}})
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(
            name,
            namespace,
            labels=labels,
            kind="PersistentVolumeClaim",
            age=age,
            annotations=annotations,
            finalizers=["kubernetes.io/pvc-protection"],
        ),
        "spec": spec,
        "status": status,
    }


def local_path_pv(claim: dict[str, Any], node_name: str) -> dict[str, Any]:
    md = claim["metadata"]
    name = claim["spec"]["volumeName"]
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta(
            name,
            kind="PersistentVolume",
            annotations={
                "local.path.provisioner/selected-node": node_name,
                "pv.kubernetes.io/provisioned-by": "rancher.io/local-path",
            },
            finalizers=["kubernetes.io/pv-protection"],
        ),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "name": md["name"],
                "namespace": md["namespace"],
                "uid": md["uid"],
                "resourceVersion": "4242",
            },
            "hostPath": {
                "path": f"/var/lib/rancher/k3s/storage/{name}_{md['namespace']}_{md['name']}",
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
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": claim["spec"].get("storageClassName"),
            "volumeMode": "Filesystem",
        },
        "status": {"phase": "Bound", "lastPhaseTransitionTime": ts(timedelta(days=5))},
    }


def statefulset(
    name: str,
    namespace: str,
    *,
    labels: dict[str, str],
    image: str,
    claim_templates: list[str] | None = None,
    storage_class_name: str = "local-path",
    replicas: int = 1,
) -> dict[str, Any]:
    templates = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": t, "labels": labels},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": storage_class_name,
                "resources": {"requests": {"storage": "20Gi"}},
                "volumeMode": "Filesystem",
            },
        }
        for t in claim_templates or []
    ]
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(name, namespace, labels=labels, kind="StatefulSet", generation=1),
        "spec": {
            "replicas": replicas,
            "serviceName": f"{name}-headless",
            "selector": {"matchLabels": labels},
            "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name.split("-")[0], "image": image}]},
            },
            "volumeClaimTemplates": templates,
        },
        "status": {
            "replicas": replicas,
            "readyReplicas": replicas,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 1,
        },
    }


def claim_volume(claim_name: str, volume_name: str = "data") -> dict[str, Any]:
    return {"name": volume_name, "persistentVolumeClaim": {"claimName": claim_name}}


# -- Longhorn ----------------------------------------------------------------------------------------------
def longhorn_csi_plugin(kubelet_root: str = K3S_KUBELET_DIR, *, desired: int = 3) -> dict[str, Any]:
    """``longhorn-system/longhorn-csi-plugin`` as longhorn-driver-deployer creates it for a kubelet root."""
    labels = {
        "app": "longhorn-csi-plugin",
        "app.kubernetes.io/name": "longhorn",
        "app.kubernetes.io/instance": "longhorn",
        "app.kubernetes.io/version": "v1.6.2",
    }
    socket_dir = f"{kubelet_root}/plugins/driver.longhorn.io"
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "node-driver-registrar",
                "image": REGISTRAR_IMAGE,
                "args": [
                    "--v=2",
                    "--csi-address=/csi/csi.sock",
                    f"--kubelet-registration-path={socket_dir}/csi.sock",
                ],
                "volumeMounts": [
                    {"mountPath": "/csi/", "name": "socket-dir"},
                    {"mountPath": "/registration", "name": "registration-dir"},
                ],
            },
            {
                "name": "longhorn-liveness-probe",
                "image": "longhornio/livenessprobe:v2.12.0",
                "args": ["--v=4", "--csi-address=/csi/csi.sock", "--health-port=9808"],
            },
            {
                "name": "longhorn-csi-plugin",
                "image": LONGHORN_MANAGER_IMAGE,
                "args": [
                    "longhorn-manager",
                    "-d",
                    "csi",
                    "--nodeid=$(NODE_ID)",
                    "--endpoint=$(CSI_ENDPOINT)",
                    "--drivername=driver.longhorn.io",
                    "--manager-url=http://longhorn-backend:9500/v1",
                ],
                "securityContext": {"privileged": True},
                "volumeMounts": [
                    {"mountPath": "/csi/", "name": "socket-dir"},
                    {
                        "mountPath": kubelet_root,
                        "mountPropagation": "Bidirectional",
                        "name": "pods-mount-dir",
                    },
                ],
            },
        ],
        "volumes": [
            {
                "name": "registration-dir",
                "hostPath": {"path": f"{kubelet_root}/plugins_registry", "type": "DirectoryOrCreate"},
            },
            {"name": "socket-dir", "hostPath": {"path": socket_dir, "type": "DirectoryOrCreate"}},
            {"name": "pods-mount-dir", "hostPath": {"path": kubelet_root, "type": "DirectoryOrCreate"}},
            {"name": "host-dev", "hostPath": {"path": "/dev", "type": ""}},
            {"name": "host-sys", "hostPath": {"path": "/sys", "type": ""}},
            {"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}},
        ],
        "serviceAccountName": "longhorn-service-account",
        "priorityClassName": "longhorn-critical",
    }
    return daemonset("longhorn-csi-plugin", "longhorn-system", labels=labels, pod_spec=spec, desired=desired)


def longhorn_manager(*, desired: int = 3) -> dict[str, Any]:
    labels = {
        "app": "longhorn-manager",
        "app.kubernetes.io/name": "longhorn",
        "app.kubernetes.io/instance": "longhorn",
    }
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "longhorn-manager",
                "image": LONGHORN_MANAGER_IMAGE,
                "command": [
                    "longhorn-manager",
                    "-d",
                    "daemon",
                    "--engine-image",
                    "longhornio/longhorn-engine:v1.6.2",
                    "--service-account",
                    "longhorn-service-account",
                ],
                "securityContext": {"privileged": True},
            }
        ],
        "volumes": [
            {"name": "dev", "hostPath": {"path": "/dev/"}},
            {"name": "proc", "hostPath": {"path": "/proc/"}},
            {"name": "longhorn", "hostPath": {"path": "/var/lib/longhorn/"}},
        ],
        "serviceAccountName": "longhorn-service-account",
    }
    return daemonset("longhorn-manager", "longhorn-system", labels=labels, pod_spec=spec, desired=desired)


def csi_plugin_pod(
    ds: dict[str, Any],
    node_name: str,
    suffix: str,
    *,
    ready: bool = True,
    failing: str = "longhorn-csi-plugin",
    waiting: str = "CrashLoopBackOff",
    last_message: str = "",
) -> dict[str, Any]:
    statuses = []
    for container in ds["spec"]["template"]["spec"]["containers"]:
        if ready or container["name"] != failing:
            statuses.append(container_status(container["name"], container["image"]))
        else:
            statuses.append(
                container_status(
                    container["name"],
                    container["image"],
                    state="waiting",
                    reason=waiting,
                    restarts=37,
                    message=f"back-off 5m0s restarting failed container={failing} pod={ds['metadata']['name']}-{suffix}",
                    last_terminated={"message": last_message} if last_message else {"reason": "Error"},
                )
            )
    return daemon_pod(ds, node_name, suffix, statuses=statuses, ready=ready)


def driver_deployer(kubelet_root: str | None) -> dict[str, Any]:
    env: list[dict[str, Any]] = [
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}
    ]
    if kubelet_root:
        env.append({"name": "KUBELET_ROOT_DIR", "value": kubelet_root})
    labels = {"app": "longhorn-driver-deployer"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(
            "longhorn-driver-deployer", "longhorn-system", labels=labels, kind="Deployment", generation=1
        ),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "longhorn-driver-deployer",
                            "image": LONGHORN_MANAGER_IMAGE,
                            "command": [
                                "longhorn-manager",
                                "-d",
                                "deploy-driver",
                                "--manager-image",
                                LONGHORN_MANAGER_IMAGE,
                                "--manager-url",
                                "http://longhorn-backend:9500/v1",
                            ],
                            "env": env,
                        }
                    ]
                },
            },
        },
        "status": {
            "replicas": 1,
            "readyReplicas": 1,
            "availableReplicas": 1,
            "updatedReplicas": 1,
            "observedGeneration": 1,
        },
    }


def helm_release(
    name: str,
    namespace: str,
    chart: str,
    *,
    values: dict[str, Any] | None = None,
    values_from: list[dict[str, Any]] | None = None,
    version: str = "1.6.2",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": "30m",
        "chart": {
            "spec": {
                "chart": chart,
                "version": version,
                "reconcileStrategy": "ChartVersion",
                "sourceRef": {"kind": "HelmRepository", "name": chart, "namespace": "flux-system"},
            }
        },
    }
    if values is not None:
        spec["values"] = values
    if values_from is not None:
        spec["valuesFrom"] = values_from
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": meta(
            name,
            namespace,
            kind="HelmRelease",
            generation=3,
            labels={
                "kustomize.toolkit.fluxcd.io/name": "infrastructure",
                "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
            },
        ),
        "spec": spec,
        "status": {
            "observedGeneration": 3,
            "lastAttemptedRevision": version,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "UpgradeSucceeded",
                    "message": f"Helm upgrade succeeded for release {namespace}/{name}.v4 with chart {chart}@{version}",
                    "observedGeneration": 3,
                    "lastTransitionTime": ts(timedelta(days=1)),
                }
            ],
        },
    }


def longhorn_volume(
    claim: dict[str, Any],
    *,
    robustness: str = "healthy",
    state: str = "attached",
    replicas: int = 3,
    node_name: str = "k3s3",
    pod_status: str = "Running",
    scheduled_message: str = "",
    workload: str | None = None,
) -> dict[str, Any]:
    name = claim["spec"].get("volumeName") or f"pvc-{uid(claim['metadata']['name'])}"
    md = claim["metadata"]
    attached = state == "attached"
    conditions = [
        {
            "type": "TooManySnapshots",
            "status": "False",
            "reason": "",
            "message": "",
            "lastProbeTime": "",
            "lastTransitionTime": ts(timedelta(days=5)),
        },
        {
            "type": "Scheduled",
            "status": "False" if scheduled_message else "True",
            "reason": "ReplicaSchedulingFailure" if scheduled_message else "",
            "message": scheduled_message,
            "lastProbeTime": "",
            "lastTransitionTime": ts(timedelta(hours=6)),
        },
        {
            "type": "Restore",
            "status": "False",
            "reason": "",
            "message": "",
            "lastProbeTime": "",
            "lastTransitionTime": ts(timedelta(days=5)),
        },
    ]
    workloads = []
    if workload:
        workloads = [
            {
                "podName": f"{workload}-0",
                "podStatus": pod_status,
                "workloadName": workload,
                "workloadType": "StatefulSet",
            }
        ]
    return {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Volume",
        "metadata": meta(
            name,
            "longhorn-system",
            kind="Volume",
            labels={"longhornvolume": name, "recurring-job-group.longhorn.io/default": "enabled"},
            finalizers=["longhorn.io"],
            generation=2,
        ),
        "spec": {
            "accessMode": "rwo",
            "dataEngine": "v1",
            "dataLocality": "disabled",
            "frontend": "blockdev",
            "image": "longhornio/longhorn-engine:v1.6.2",
            "migratable": False,
            "encrypted": False,
            "nodeID": node_name if attached else "",
            "numberOfReplicas": replicas,
            "replicaAutoBalance": "ignored",
            "size": "10737418240",
            "staleReplicaTimeout": 30,
            "diskSelector": [],
            "nodeSelector": [],
        },
        "status": {
            "state": state,
            "robustness": robustness,
            "currentNodeID": node_name if attached else "",
            "currentImage": "longhornio/longhorn-engine:v1.6.2",
            "frontendDisabled": False,
            "isStandby": False,
            "actualSize": 1873920000,
            "ownerID": node_name,
            "shareState": "",
            "shareEndpoint": "",
            "conditions": conditions,
            "kubernetesStatus": {
                "namespace": md["namespace"],
                "pvcName": md["name"],
                "pvName": name,
                "pvStatus": "Bound",
                "lastPVCRefAt": "",
                "lastPodRefAt": "",
                "workloadsStatus": workloads,
            },
            "lastBackup": "",
            "lastBackupAt": "",
            "remountRequestedAt": ts(timedelta(days=5)),
        },
    }


def longhorn_node(
    name: str, *, allow_scheduling: bool = True, ready: bool = True, mount_propagation: bool = True
) -> dict[str, Any]:
    def cond(type_: str, ok: bool, reason: str, message: str) -> dict[str, Any]:
        return {
            "type": type_,
            "status": "True" if ok else "False",
            "reason": "" if ok else reason,
            "message": "" if ok else message,
            "lastProbeTime": "",
            "lastTransitionTime": ts(timedelta(hours=8)),
        }

    disk = f"default-disk-{uid(name)[:12]}"
    return {
        "apiVersion": "longhorn.io/v1beta2",
        "kind": "Node",
        "metadata": meta(
            name, "longhorn-system", kind="LonghornNode", finalizers=["longhorn.io"], generation=2
        ),
        "spec": {
            "name": name,
            "allowScheduling": allow_scheduling,
            "evictionRequested": False,
            "tags": [],
            "instanceManagerCPURequest": 0,
            "disks": {
                disk: {
                    "allowScheduling": True,
                    "diskType": "filesystem",
                    "evictionRequested": False,
                    "path": "/var/lib/longhorn/",
                    "storageReserved": 30_000_000_000,
                    "tags": [],
                }
            },
        },
        "status": {
            "region": "",
            "zone": "",
            "conditions": [
                cond(
                    "Ready",
                    ready,
                    "ManagerPodDown",
                    f"Node {name} is down: the manager pod longhorn-manager-x is not running",
                ),
                cond("Schedulable", True, "", ""),
                cond(
                    "MountPropagation",
                    mount_propagation,
                    "NoMountPropagation",
                    "The MountPropagation is disabled on this node",
                ),
            ],
        },
    }
