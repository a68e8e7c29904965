"""Builders for Kubernetes objects shaped exactly like the API server returns them.

Tests build a cluster from these, tweak one field, and run one check. Each builder returns a plain dict
(what the loader would hand to ``Resource.from_raw``); ``state()`` wraps dicts into a ClusterState.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from homelabctl.model import Resource
from homelabctl.redact import redact_object
from homelabctl.sources.base import ClusterState, KindStatus, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.timeutil import format_time

NOW = datetime(2025, 6, 16, 3, 0, 0, tzinfo=UTC)


def ts(delta: timedelta = timedelta(0)) -> str:
    """A timestamp ``delta`` before the test reference time."""
    return format_time(NOW - delta)


def uid(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def meta(
    name: str,
    namespace: str | None = None,
    *,
    labels: dict[str, str] | None = None,
    kind: str = "",
    age: timedelta = timedelta(days=30),
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "uid": uid(f"{kind}/{namespace}/{name}"),
        "resourceVersion": "123456",
        "creationTimestamp": ts(age),
    }
    if namespace:
        data["namespace"] = namespace
    if labels:
        data["labels"] = dict(labels)
    data.update(extra)
    return data


def owner_ref(owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def node(
    name: str,
    *,
    ready: str = "True",
    version: str = "v1.32.5+k3s1",
    control_plane: bool = False,
    labels: dict[str, str] | None = None,
    taints: list[dict[str, Any]] | None = None,
    unschedulable: bool = False,
    conditions: dict[str, str] | None = None,
    since: timedelta = timedelta(days=10),
    allocatable: dict[str, str] | None = None,
) -> dict[str, Any]:
    node_labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "k3s",
    }
    if control_plane:
        node_labels["node-role.kubernetes.io/control-plane"] = "true"
        node_labels["node-role.kubernetes.io/master"] = "true"
    node_labels.update(labels or {})
    heartbeat = ts(timedelta(seconds=20)) if ready == "True" else ts(since)
    reasons = {
        "True": ("KubeletReady", "kubelet is posting ready status"),
        "False": ("KubeletNotReady", "container runtime network not ready"),
        "Unknown": ("NodeStatusUnknown", "Kubelet stopped posting node status."),
    }
    conds = []
    for ctype, default in (("MemoryPressure", "False"), ("DiskPressure", "False"), ("PIDPressure", "False")):
        status = (conditions or {}).get(ctype, default if ready != "Unknown" else "Unknown")
        conds.append(
            {
                "type": ctype,
                "status": status,
                "lastHeartbeatTime": heartbeat,
                "lastTransitionTime": ts(since),
                "reason": f"KubeletHas{'No' if status == 'False' else ''}{ctype}",
                "message": f"kubelet has {'no ' if status == 'False' else ''}{ctype.lower()}",
            }
        )
    reason, message = reasons[ready]
    conds.append(
        {
            "type": "Ready",
            "status": ready,
            "lastHeartbeatTime": heartbeat,
            "lastTransitionTime": ts(since),
            "reason": reason,
            "message": message,
        }
    )
    for ctype, status in (conditions or {}).items():
        if ctype not in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready"):
            conds.insert(
                0,
                {
                    "type": ctype,
                    "status": status,
                    "lastHeartbeatTime": heartbeat,
                    "lastTransitionTime": ts(since),
                    "reason": "CiliumIsUp" if status == "False" else "CiliumIsDown",
                    "message": "Cilium is running on this node" if status == "False" else "Cilium is down",
                },
            )
    alloc = {"cpu": "4", "memory": "16318500Ki", "pods": "110", "ephemeral-storage": "95491281146"}
    alloc.update(allocatable or {})
    spec: dict[str, Any] = {
        "podCIDR": "10.42.0.0/24",
        "podCIDRs": ["10.42.0.0/24"],
        "providerID": f"k3s://{name}",
    }
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(
            name,
            labels=node_labels,
            kind="Node",
            annotations={
                "k3s.io/hostname": name,
                "k3s.io/internal-ip": "192.168.10.11",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        ),
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": "192.168.10.11"},
                {"type": "Hostname", "address": name},
            ],
            "allocatable": alloc,
            "capacity": dict(alloc),
            "conditions": conds,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://2.0.5-k3s1",
                "kernelVersion": "5.15.0-140-generic",
                "kubeProxyVersion": version,
                "kubeletVersion": version,
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "machineID": uid(name).replace("-", ""),
                "systemUUID": uid(name + "sys"),
                "bootID": uid(name + "boot"),
            },
        },
    }


def container_status(
    name: str,
    image: str,
    *,
    state: str = "running",
    ready: bool | None = None,
    restarts: int = 0,
    reason: str = "",
    message: str = "",
    exit_code: int = 1,
    last_terminated: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if state == "running":
        st: dict[str, Any] = {"running": {"startedAt": ts(timedelta(hours=5))}}
    elif state == "waiting":
        st = {"waiting": {"reason": reason or "ContainerCreating"}}
        if message:
            st["waiting"]["message"] = message
    else:
        st = {
            "terminated": {
                "exitCode": exit_code,
                "reason": reason or "Error",
                "startedAt": ts(timedelta(hours=1)),
                "finishedAt": ts(timedelta(minutes=50)),
            }
        }
        if message:
            st["terminated"]["message"] = message
    cs: dict[str, Any] = {
        "name": name,
        "image": image,
        "imageID": f"{image.split(':')[0]}@sha256:{'a' * 64}",
        "containerID": f"containerd://{'b' * 64}",
        "ready": state == "running" if ready is None else ready,
        "restartCount": restarts,
        "started": state == "running",
        "state": st,
        "lastState": {},
    }
    if last_terminated:
        cs["lastState"] = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": ts(timedelta(minutes=6)),
                "finishedAt": ts(timedelta(minutes=5)),
                "containerID": f"containerd://{'c' * 64}",
                **last_terminated,
            }
        }
    return cs


def pod(
    name: str,
    namespace: str = "default",
    *,
    node_name: str | None = "k3s2",
    phase: str = "Running",
    labels: dict[str, str] | None = None,
    owner: dict[str, Any] | None = None,
    containers: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    ready: bool | None = None,
    conditions: list[dict[str, Any]] | None = None,
    deletion: timedelta | None = None,
    volumes: list[dict[str, Any]] | None = None,
    priority_class: str | None = None,
    status_reason: str | None = None,
) -> dict[str, Any]:
    containers = containers or [
        {
            "name": "app",
            "image": "ghcr.io/example/app:1.2.3",
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        }
    ]
    if statuses is None and phase == "Running":
        statuses = [container_status(c["name"], c["image"]) for c in containers]
    statuses = statuses or []
    all_ready = bool(statuses) and all(s.get("ready") for s in statuses) if ready is None else ready
    md = meta(name, namespace, labels=labels, kind="Pod", age=timedelta(days=2))
    if owner is not None:
        md["ownerReferences"] = [owner_ref(owner)]
    if deletion is not None:
        md["deletionTimestamp"] = ts(deletion)
        md["deletionGracePeriodSeconds"] = 30
    spec: dict[str, Any] = {
        "containers": containers,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "tolerations": [
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
        ],
    }
    if node_name:
        spec["nodeName"] = node_name
    if volumes:
        spec["volumes"] = volumes
    if priority_class:
        spec["priorityClassName"] = priority_class
    if conditions is None:
        scheduled = "True" if node_name else "False"
        conditions = [
            {
                "type": "PodReadyToStartContainers",
                "status": "True" if node_name else "False",
                "lastProbeTime": None,
                "lastTransitionTime": ts(timedelta(days=2)),
            },
            {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": ts(timedelta(days=2)),
            },
            {
                "type": "Ready",
                "status": "True" if all_ready else "False",
                "lastProbeTime": None,
                "lastTransitionTime": ts(timedelta(hours=5)),
            },
            {
                "type": "ContainersReady",
                "status": "True" if all_ready else "False",
                "lastProbeTime": None,
                "lastTransitionTime": ts(timedelta(hours=5)),
            },
            {
                "type": "PodScheduled",
                "status": scheduled,
                "lastProbeTime": None,
                "lastTransitionTime": ts(timedelta(days=2)),
            },
        ]
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": conditions,
        "qosClass": "Burstable",
        "startTime": ts(timedelta(days=2)),
    }
    if node_name:
        status.update(
            {
                "hostIP": "192.168.10.12",
                "hostIPs": [{"ip": "192.168.10.12"}],
                "podIP": "10.42.1.17",
                "podIPs": [{"ip": "10.42.1.17"}],
            }
        )
    if statuses:
        status["containerStatuses"] = statuses
    if status_reason:
        status["reason"] = status_reason
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec, "status": status}


def deployment(
    name: str,
    namespace: str = "default",
    *,
    replicas: int = 1,
    ready: int | None = None,
    labels: dict[str, str] | None = None,
    pod_spec: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ready = replicas if ready is None else ready
    sel = labels or {"app.kubernetes.io/name": name}
    spec_pod = pod_spec or {"containers": [{"name": name, "image": f"ghcr.io/example/{name}:1.0.0"}]}
    status: dict[str, Any] = {
        "observedGeneration": 1,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "conditions": [
            {
                "type": "Available",
                "status": "True" if ready >= replicas else "False",
                "reason": "MinimumReplicasAvailable" if ready >= replicas else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if ready >= replicas
                else "Deployment does not have minimum availability.",
                "lastUpdateTime": ts(timedelta(hours=5)),
                "lastTransitionTime": ts(timedelta(hours=5)),
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{name}-7d9f8b6c5d" has successfully progressed.',
                "lastUpdateTime": ts(timedelta(days=3)),
                "lastTransitionTime": ts(timedelta(days=3)),
            },
        ],
    }
    if ready:
        status.update({"readyReplicas": ready, "availableReplicas": ready})
    if ready < replicas:
        status["unavailableReplicas"] = replicas - ready
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(
            name,
            namespace,
            labels=sel,
            kind="Deployment",
            generation=1,
            annotations={"deployment.kubernetes.io/revision": "1"},
        ),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": sel},
            "revisionHistoryLimit": 10,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {"metadata": {"labels": sel}, "spec": spec_pod},
        },
        "status": status,
    }


def event(
    involved: dict[str, Any],
    reason: str,
    message: str,
    *,
    type_: str = "Warning",
    count: int = 1,
    age: timedelta = timedelta(minutes=2),
    component: str = "kubelet",
) -> dict[str, Any]:
    md = involved["metadata"]
    name = f"{md['name']}.{uid(reason + message)[:16].replace('-', '')}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": meta(name, md.get("namespace") or "default", kind="Event", age=age),
        "involvedObject": {
            "apiVersion": involved["apiVersion"],
            "kind": involved["kind"],
            "name": md["name"],
            "namespace": md.get("namespace"),
            "uid": md["uid"],
            "resourceVersion": "1",
        },
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": ts(age + timedelta(hours=1)),
        "lastTimestamp": ts(age),
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
    }


def state(
    objects: Iterable[dict[str, Any]],
    *,
    captured: Iterable[str] = (),
    kind_status: dict[str, KindStatus] | None = None,
    source_type: str = "snapshot",
) -> ClusterState:
    """A ClusterState from dicts, as the snapshot loader builds it (redacted, indexed, NOW as reference)."""
    index = ClusterIndex(Resource.from_raw(redact_object(copy.deepcopy(o))) for o in objects)
    status = {gk: KindStatus("available") for gk in captured}
    status.update(kind_status or {})
    return ClusterState(
        index=index,
        source=SourceInfo(source_type, "test"),  # type: ignore[arg-type]
        kind_status=status,
        captured_at=NOW,
    )
