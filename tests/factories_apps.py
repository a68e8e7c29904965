"""Builders for the application-side objects of the seed homelab, shaped as the API and controllers emit them.

Workload controllers and their pods (ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs), GPU nodes and
pods (NVIDIA device plugin with time-slicing, gpu-feature-discovery labels), Services and the HTTPRoutes /
Ingresses in front of them, oauth2-proxy exactly as its Helm chart renders it, ResourceQuotas,
PriorityClasses and the monitoring stack (kube-prometheus-stack pods, node-problem-detector).
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from factories import container_status, deployment, event, meta, node, owner_ref, pod, ts
from factories_diag import endpoint_slice
from factories_infra import local_path_pv, pvc

# -- generic controllers -------------------------------------------------------------------------------------


def replicaset(deploy: dict[str, Any], template_hash: str = "7d9f8b6c5d") -> dict[str, Any]:
    """The ReplicaSet a Deployment controller creates (pods point at it, it points at the Deployment)."""
    spec = deploy["spec"]
    labels = {**spec["template"]["metadata"]["labels"], "pod-template-hash": template_hash}
    name = f"{deploy['metadata']['name']}-{template_hash}"
    replicas = spec.get("replicas", 1)
    ready = deploy.get("status", {}).get("readyReplicas", 0)
    md = meta(
        name,
        deploy["metadata"]["namespace"],
        labels=labels,
        kind="ReplicaSet",
        generation=1,
        annotations={
            "deployment.kubernetes.io/desired-replicas": str(replicas),
            "deployment.kubernetes.io/max-replicas": str(replicas + 1),
            "deployment.kubernetes.io/revision": "1",
        },
    )
    md["ownerReferences"] = [owner_ref(deploy)]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": md,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec["template"]["spec"]},
        },
        "status": {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "observedGeneration": 1,
            **({"readyReplicas": ready, "availableReplicas": ready} if ready else {}),
        },
    }


def owned_pod(
    owner: dict[str, Any],
    suffix: str,
    *,
    node_name: str | None = "k3s2",
    phase: str = "Running",
    statuses: list[dict[str, Any]] | None = None,
    ready: bool | None = None,
    conditions: list[dict[str, Any]] | None = None,
    deletion: timedelta | None = None,
    priority_class: str | None = None,
) -> dict[str, Any]:
    """A pod created by ``owner`` (a ReplicaSet, StatefulSet, DaemonSet or Job) from its template."""
    template = owner["spec"]["template"]
    name = f"{owner['metadata']['name']}-{suffix}"
    obj = pod(
        name,
        owner["metadata"]["namespace"],
        node_name=node_name,
        phase=phase,
        labels=dict(template["metadata"]["labels"]),
        owner=owner,
        containers=template["spec"]["containers"],
        statuses=statuses,
        ready=ready,
        conditions=conditions,
        deletion=deletion,
        priority_class=priority_class or template["spec"].get("priorityClassName"),
    )
    for key, value in template["spec"].items():
        if key not in ("containers", "priorityClassName"):
            obj["spec"][key] = value
    return obj


def statefulset(
    name: str,
    namespace: str,
    *,
    replicas: int = 1,
    ready: int | None = None,
    labels: dict[str, str] | None = None,
    containers: list[dict[str, Any]] | None = None,
    service_name: str | None = None,
) -> dict[str, Any]:
    ready = replicas if ready is None else ready
    sel = labels or {"app.kubernetes.io/name": name}
    containers = containers or [{"name": name, "image": f"ghcr.io/example/{name}:1.0.0"}]
    status: dict[str, Any] = {
        "observedGeneration": 1,
        "replicas": replicas,
        "currentReplicas": replicas,
        "updatedReplicas": replicas,
        "currentRevision": f"{name}-6c8f7d9b5",
        "updateRevision": f"{name}-6c8f7d9b5",
        "collisionCount": 0,
        "availableReplicas": ready,
    }
    if ready:
        status["readyReplicas"] = ready
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(name, namespace, labels=sel, kind="StatefulSet", generation=1),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": sel},
            "serviceName": service_name or name,
            "podManagementPolicy": "OrderedReady",
            "revisionHistoryLimit": 10,
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "template": {"metadata": {"labels": sel}, "spec": {"containers": containers}},
        },
        "status": status,
    }


def daemonset(
    name: str,
    namespace: str,
    *,
    labels: dict[str, str] | None = None,
    containers: list[dict[str, Any]] | None = None,
    desired: int = 4,
    ready: int | None = None,
    current: int | None = None,
    misscheduled: int = 0,
) -> dict[str, Any]:
    ready = desired if ready is None else ready
    current = desired if current is None else current
    sel = labels or {"app.kubernetes.io/name": name}
    containers = containers or [{"name": name, "image": f"ghcr.io/example/{name}:1.0.0"}]
    status: dict[str, Any] = {
        "currentNumberScheduled": current,
        "desiredNumberScheduled": desired,
        "numberAvailable": ready,
        "numberMisscheduled": misscheduled,
        "numberReady": ready,
        "observedGeneration": 1,
        "updatedNumberScheduled": current,
    }
    if ready < desired:
        status["numberUnavailable"] = desired - ready
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta(
            name,
            namespace,
            labels=sel,
            kind="DaemonSet",
            generation=1,
            annotations={"deprecated.daemonset.template.generation": "1"},
        ),
        "spec": {
            "selector": {"matchLabels": sel},
            "revisionHistoryLimit": 10,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
            },
            "template": {"metadata": {"labels": sel}, "spec": {"containers": containers}},
        },
        "status": status,
    }


def crashloop_status(
    name: str,
    image: str,
    *,
    restarts: int = 12,
    reason: str = "Error",
    exit_code: int = 1,
    message: str = "",
    pod_name: str = "",
) -> dict[str, Any]:
    """A container in CrashLoopBackOff, as the kubelet reports it between two restarts."""
    cs = container_status(
        name,
        image,
        state="waiting",
        reason="CrashLoopBackOff",
        restarts=restarts,
        message=f"back-off 5m0s restarting failed container={name} pod={pod_name or name}",
    )
    last: dict[str, Any] = {"reason": reason, "exitCode": exit_code}
    if message:
        last["message"] = message
    cs["lastState"] = {
        "terminated": {
            "exitCode": exit_code,
            "reason": reason,
            "startedAt": ts(timedelta(minutes=6)),
            "finishedAt": ts(timedelta(minutes=5)),
            "containerID": f"containerd://{'c' * 64}",
            **last,
        }
    }
    return cs


def cronjob(
    name: str,
    namespace: str,
    schedule: str,
    *,
    last_schedule: timedelta | None = timedelta(hours=1),
    last_success: timedelta | None = timedelta(hours=1),
    suspend: bool = False,
    image: str = "ghcr.io/recyclarr/recyclarr:7.2.4",
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if last_schedule is not None:
        status["lastScheduleTime"] = ts(last_schedule)
    if last_success is not None:
        status["lastSuccessfulTime"] = ts(last_success)
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta(name, namespace, kind="CronJob", generation=1, age=timedelta(days=60)),
        "spec": {
            "schedule": schedule,
            "suspend": suspend,
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": name, "image": image, "args": ["sync"]}],
                        }
                    },
                }
            },
        },
        "status": status,
    }


def job(
    name: str,
    namespace: str,
    *,
    failed: bool = False,
    owner: dict[str, Any] | None = None,
    age: timedelta = timedelta(hours=1),
    reason: str = "BackoffLimitExceeded",
    message: str = "Job has reached the specified backoff limit",
) -> dict[str, Any]:
    """A finished Job (Complete or Failed) with the conditions the Job controller (1.31+) writes."""
    template = (owner or {}).get("spec", {}).get("jobTemplate", {}).get("spec") or {
        "backoffLimit": 6,
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": name, "image": "ghcr.io/example/migrate:1.0.0"}],
            }
        },
    }
    md = meta(
        name, namespace, kind="Job", age=age, labels={"batch.kubernetes.io/job-name": name, "job-name": name}
    )
    if owner is not None:
        md["ownerReferences"] = [owner_ref(owner)]
    finished = ts(age - timedelta(minutes=5))
    if failed:
        conditions = [
            {
                "type": "FailureTarget",
                "status": "True",
                "reason": reason,
                "message": message,
                "lastProbeTime": finished,
                "lastTransitionTime": finished,
            },
            {
                "type": "Failed",
                "status": "True",
                "reason": reason,
                "message": message,
                "lastProbeTime": finished,
                "lastTransitionTime": finished,
            },
        ]
        counts: dict[str, Any] = {"failed": int(template.get("backoffLimit", 6)) + 1}
    else:
        conditions = [
            {
                "type": "SuccessCriteriaMet",
                "status": "True",
                "reason": "CompletionsReached",
                "message": "Reached expected number of succeeded pods",
                "lastProbeTime": finished,
                "lastTransitionTime": finished,
            },
            {
                "type": "Complete",
                "status": "True",
                "reason": "CompletionsReached",
                "message": "Reached expected number of succeeded pods",
                "lastProbeTime": finished,
                "lastTransitionTime": finished,
            },
        ]
        counts = {"succeeded": 1, "completionTime": finished}
    pod_labels = {"batch.kubernetes.io/job-name": name, "job-name": name}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": md,
        "spec": {
            **{k: v for k, v in template.items() if k != "template"},
            "completions": 1,
            "parallelism": 1,
            "completionMode": "NonIndexed",
            "suspend": False,
            "podReplacementPolicy": "TerminatingOrFailed",
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": md["uid"]}},
            "template": {"metadata": {"labels": pod_labels}, "spec": template["template"]["spec"]},
        },
        "status": {
            "conditions": conditions,
            "startTime": ts(age),
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
            **counts,
        },
    }


def failed_job_pod(
    job_obj: dict[str, Any], suffix: str, *, exit_code: int = 1, message: str = ""
) -> dict[str, Any]:
    spec = job_obj["spec"]["template"]["spec"]
    container = spec["containers"][0]
    status = container_status(
        container["name"],
        container["image"],
        state="terminated",
        reason="Error",
        exit_code=exit_code,
        message=message,
        ready=False,
    )
    obj = owned_pod(job_obj, suffix, phase="Failed", statuses=[status], ready=False)
    obj["spec"]["restartPolicy"] = "Never"
    return obj


# -- scheduling ------------------------------------------------------------------------------------------------


def unschedulable_conditions(message: str, *, age: timedelta = timedelta(hours=2)) -> list[dict[str, Any]]:
    """The single condition the scheduler sets on a pod it cannot place."""
    return [
        {
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": message,
            "lastProbeTime": None,
            "lastTransitionTime": ts(age),
        }
    ]


def pending_pod(
    name: str,
    namespace: str,
    message: str,
    *,
    containers: list[dict[str, Any]] | None = None,
    age: timedelta = timedelta(hours=2),
    owner: dict[str, Any] | None = None,
    priority_class: str | None = None,
) -> dict[str, Any]:
    obj = pod(
        name,
        namespace,
        node_name=None,
        phase="Pending",
        containers=containers,
        owner=owner,
        conditions=unschedulable_conditions(message, age=age),
        priority_class=priority_class,
    )
    obj["metadata"]["creationTimestamp"] = ts(age + timedelta(seconds=1))
    obj["status"].pop("startTime", None)
    return obj


def scheduler_event(
    involved: dict[str, Any], message: str, *, count: int = 37, age: timedelta = timedelta(minutes=3)
) -> dict[str, Any]:
    md = involved["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": meta(f"{md['name']}.17f9a1c2b3d4e5f6", md["namespace"], kind="Event", age=age),
        "involvedObject": {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": md["name"],
            "namespace": md["namespace"],
            "uid": md["uid"],
            "resourceVersion": "4821337",
        },
        "reason": "FailedScheduling",
        "message": message,
        "type": "Warning",
        "count": count,
        "firstTimestamp": None,
        "lastTimestamp": None,
        "eventTime": None,
        "series": {"count": count, "lastObservedTime": ts(age)},
        "source": {},
        "reportingComponent": "default-scheduler",
        "reportingInstance": "",
        "action": "Scheduling",
    }


# -- GPU -----------------------------------------------------------------------------------------------------

T4_MEMORY_MIB = "15360"


def gpu_labels(
    *, replicas: int = 4, product: str = "Tesla-T4", shared_suffix: bool = False
) -> dict[str, str]:
    """Labels gpu-feature-discovery sets on a node with one T4 time-sliced into ``replicas`` slices."""
    labels = {
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.count": "1",
        "nvidia.com/gpu.product": product + ("-SHARED" if shared_suffix and replicas > 1 else ""),
        "nvidia.com/gpu.memory": T4_MEMORY_MIB,
        "nvidia.com/gpu.family": "turing",
        "nvidia.com/gpu.machine": "PowerEdge-R630",
        "nvidia.com/cuda.driver-version.full": "550.127.05",
        "nvidia.com/gpu.deploy.device-plugin": "true",
        "nvidia.com/gpu.replicas": str(replicas),
        "nvidia.com/mig.capable": "false",
    }
    if replicas > 1:
        labels["nvidia.com/gpu.sharing-strategy"] = "time-slicing"
    return labels


def gpu_container(name: str, image: str, *, gpus: int = 1, memory: str = "8Gi") -> dict[str, Any]:
    """A container asking for GPU slices the way Helm charts do: ``limits`` only (requests are defaulted)."""
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "resources": {
            "limits": {"nvidia.com/gpu": str(gpus), "memory": memory},
            "requests": {"cpu": "500m", "memory": "2Gi", "nvidia.com/gpu": str(gpus)},
        },
        "env": [
            {"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"},
            {"name": "NVIDIA_DRIVER_CAPABILITIES", "value": "all"},
        ],
    }


def gpu_deployment(
    name: str,
    namespace: str,
    image: str,
    *,
    gpus: int = 1,
    replicas: int = 1,
    ready: int | None = None,
    priority_class: str | None = None,
) -> dict[str, Any]:
    ready = replicas if ready is None else ready
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}
    spec: dict[str, Any] = {
        "runtimeClassName": "nvidia",
        "containers": [gpu_container(name, image, gpus=gpus)],
        "nodeSelector": {"nvidia.com/gpu.present": "true"},
    }
    if priority_class:
        spec["priorityClassName"] = priority_class
    status: dict[str, Any] = {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas}
    if ready:
        status.update({"readyReplicas": ready, "availableReplicas": ready})
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, namespace, labels=labels, kind="Deployment", generation=1),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {"type": "Recreate"},
            "template": {"metadata": {"labels": labels}, "spec": spec},
        },
        "status": status,
    }


def gpu_pod(
    deploy: dict[str, Any],
    suffix: str = "5c7b9d8f6-x2x4q",
    *,
    node_name: str | None = "k3s3",
    phase: str = "Running",
    conditions: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], ...]:
    """(ReplicaSet, Pod) of a GPU Deployment."""
    rs = replicaset(deploy, suffix.split("-")[0])
    obj = owned_pod(
        rs,
        suffix.split("-", 1)[1],
        node_name=node_name,
        phase=phase,
        conditions=conditions,
        statuses=None if phase == "Running" else [],
    )
    return rs, obj


def resource_quota(
    name: str, namespace: str, hard: dict[str, str], used: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": meta(name, namespace, kind="ResourceQuota"),
        "spec": {"hard": dict(hard)},
        "status": {"hard": dict(hard), "used": dict(used or dict.fromkeys(hard, "0"))},
    }


def priority_class(name: str, value: int, *, global_default: bool = False) -> dict[str, Any]:
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": meta(name, kind="PriorityClass", generation=1),
        "value": value,
        "globalDefault": global_default,
        "preemptionPolicy": "PreemptLowerPriority",
        "description": f"{name} workloads",
    }


def dcgm_exporter(*, desired: int = 1, ready: int | None = None) -> dict[str, Any]:
    """The gpu-operator's DCGM exporter DaemonSet (one pod per GPU node)."""
    labels = {"app": "nvidia-dcgm-exporter"}
    return daemonset(
        "nvidia-dcgm-exporter",
        "gpu-operator",
        labels=labels,
        desired=desired,
        ready=ready,
        containers=[
            {
                "name": "nvidia-dcgm-exporter",
                "image": "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5-3.4.1-ubuntu22.04",
                "ports": [{"containerPort": 9400, "name": "metrics", "protocol": "TCP"}],
            }
        ],
    )


def device_plugin(*, desired: int = 1, ready: int | None = None) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/instance": "nvdp"}
    return daemonset(
        "nvdp-nvidia-device-plugin",
        "nvidia-device-plugin",
        labels=labels,
        desired=desired,
        ready=ready,
        containers=[
            {
                "name": "nvidia-device-plugin-ctr",
                "image": "nvcr.io/nvidia/k8s-device-plugin:v0.15.0",
                "command": ["nvidia-device-plugin"],
            }
        ],
    )


# -- Services and routes ---------------------------------------------------------------------------------------


def service(
    name: str,
    namespace: str,
    selector: dict[str, str] | None,
    ports: list[dict[str, Any]],
    *,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "clusterIP": "10.43.71.170",
        "clusterIPs": ["10.43.71.170"],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "sessionAffinity": "None",
        "ports": [{"protocol": "TCP", **p} for p in ports],
    }
    if selector is not None:
        spec["selector"] = dict(selector)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, namespace, labels=labels, kind="Service"),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def http_route(
    name: str,
    namespace: str,
    hostnames: list[str],
    backends: list[tuple[str, int]],
    *,
    backend_namespace: str | None = None,
    filters: list[dict[str, Any]] | None = None,
    accepted: bool = True,
    gateway: tuple[str, str] = ("networking", "main-gateway"),
) -> dict[str, Any]:
    """An HTTPRoute attached to main-gateway's https listener, with the status Cilium writes."""
    gw_ns, gw_name = gateway
    refs = []
    for svc, port in backends:
        ref: dict[str, Any] = {"group": "", "kind": "Service", "name": svc, "port": port, "weight": 1}
        if backend_namespace:
            ref["namespace"] = backend_namespace
        refs.append(ref)
    rule: dict[str, Any] = {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": refs}
    if filters:
        rule["filters"] = filters
    accepted_cond = (
        {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Accepted HTTPRoute"}
        if accepted
        else {
            "type": "Accepted",
            "status": "False",
            "reason": "NotAllowedByListeners",
            "message": "HTTPRoute is not allowed",
        }
    )
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta(name, namespace, kind="HTTPRoute", generation=1),
        "spec": {
            "parentRefs": [
                {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "name": gw_name,
                    "namespace": gw_ns,
                    "sectionName": "https",
                }
            ],
            "hostnames": list(hostnames),
            "rules": [rule],
        },
        "status": {
            "parents": [
                {
                    "parentRef": {
                        "group": "gateway.networking.k8s.io",
                        "kind": "Gateway",
                        "name": gw_name,
                        "namespace": gw_ns,
                        "sectionName": "https",
                    },
                    "controllerName": "io.cilium/gateway-controller",
                    "conditions": [
                        {
                            **accepted_cond,
                            "observedGeneration": 1,
                            "lastTransitionTime": ts(timedelta(days=1)),
                        },
                        {
                            "type": "ResolvedRefs",
                            "status": "True",
                            "reason": "ResolvedRefs",
                            "message": "Service reference is valid",
                            "observedGeneration": 1,
                            "lastTransitionTime": ts(timedelta(days=1)),
                        },
                    ],
                }
            ]
        },
    }


def main_gateway(address: str = "192.168.10.224") -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": meta("main-gateway", "networking", kind="Gateway", generation=1),
        "spec": {
            "gatewayClassName": "cilium",
            "listeners": [
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "*.fletcherlabs.net",
                    "allowedRoutes": {"namespaces": {"from": "All"}},
                    "tls": {
                        "mode": "Terminate",
                        "certificateRefs": [{"kind": "Secret", "name": "wildcard-tls"}],
                    },
                }
            ],
        },
        "status": {
            "addresses": [{"type": "IPAddress", "value": address}],
            "conditions": [
                {
                    "type": "Programmed",
                    "status": "True",
                    "reason": "Programmed",
                    "message": "Gateway successfully reconciled",
                    "lastTransitionTime": ts(timedelta(days=2)),
                }
            ],
        },
    }


def ingress(
    name: str,
    namespace: str,
    host: str,
    svc: str,
    port: int,
    *,
    annotations: dict[str, str] | None = None,
    class_name: str = "traefik",
) -> dict[str, Any]:
    md = meta(name, namespace, kind="Ingress", generation=1)
    if annotations:
        md["annotations"] = dict(annotations)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": md,
        "spec": {
            "ingressClassName": class_name,
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": svc, "port": {"number": port}}},
                            }
                        ]
                    },
                }
            ],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.10.225"}]}},
    }


def secret(
    name: str, namespace: str, values: dict[str, str], *, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """An Opaque Secret with ``values`` base64-encoded into ``data``, as the API returns it."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": meta(name, namespace, labels=labels, kind="Secret"),
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in values.items()},
    }


def configmap(
    name: str, namespace: str, data: dict[str, str], *, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(name, namespace, labels=labels, kind="ConfigMap"),
        "data": dict(data),
    }


# -- the monitoring stack --------------------------------------------------------------------------------------

KPS = "kube-prometheus-stack"


def prometheus_statefulset(*, ready: int = 1) -> dict[str, Any]:
    """The StatefulSet prometheus-operator creates for kube-prometheus-stack's Prometheus CR."""
    labels = {
        "app.kubernetes.io/instance": f"{KPS}-prometheus",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/name": "prometheus",
        "operator.prometheus.io/name": f"{KPS}-prometheus",
        "operator.prometheus.io/shard": "0",
        "prometheus": f"{KPS}-prometheus",
    }
    return statefulset(
        f"prometheus-{KPS}-prometheus",
        "monitoring",
        ready=ready,
        labels=labels,
        service_name="prometheus-operated",
        containers=[
            {
                "name": "prometheus",
                "image": "quay.io/prometheus/prometheus:v2.54.1",
                "args": [
                    "--web.console.templates=/etc/prometheus/consoles",
                    "--storage.tsdb.retention.time=10d",
                    "--config.file=/etc/prometheus/config_out/prometheus.env.yaml",
                    "--web.enable-lifecycle",
                    "--web.route-prefix=/",
                    "--web.config.file=/etc/prometheus/web_config/web-config.yaml",
                ],
                "ports": [{"containerPort": 9090, "name": "http-web", "protocol": "TCP"}],
            },
            {
                "name": "config-reloader",
                "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.76.1",
            },
        ],
    )


def alertmanager_statefulset(*, ready: int = 1) -> dict[str, Any]:
    labels = {
        "app.kubernetes.io/instance": f"{KPS}-alertmanager",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/name": "alertmanager",
        "alertmanager": f"{KPS}-alertmanager",
    }
    return statefulset(
        f"alertmanager-{KPS}-alertmanager",
        "monitoring",
        ready=ready,
        labels=labels,
        service_name="alertmanager-operated",
        containers=[
            {
                "name": "alertmanager",
                "image": "quay.io/prometheus/alertmanager:v0.27.0",
                "ports": [{"containerPort": 9093, "name": "http-web", "protocol": "TCP"}],
            },
            {
                "name": "config-reloader",
                "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.76.1",
            },
        ],
    )


def sts_pod(
    sts: dict[str, Any],
    ordinal: int = 0,
    *,
    node_name: str = "k3s3",
    statuses: list[dict[str, Any]] | None = None,
    phase: str = "Running",
) -> dict[str, Any]:
    obj = owned_pod(sts, str(ordinal), node_name=node_name, statuses=statuses, phase=phase)
    obj["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = obj["metadata"]["name"]
    obj["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = str(ordinal)
    return obj


def prometheus_service() -> dict[str, Any]:
    return service(
        f"{KPS}-prometheus",
        "monitoring",
        {"app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": f"{KPS}-prometheus"},
        [
            {"name": "http-web", "port": 9090, "targetPort": 9090},
            {"name": "reloader-web", "port": 8080, "targetPort": "reloader-web", "appProtocol": "http"},
        ],
        labels={
            "app": f"{KPS}-prometheus",
            "release": KPS,
            "self-monitor": "true",
            "app.kubernetes.io/managed-by": "Helm",
            "app.kubernetes.io/part-of": KPS,
        },
    )


def longhorn_ui() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(Deployment, ReplicaSet, Pod, Service) of Longhorn's UI: Service ``longhorn-frontend``."""
    labels = {"app": "longhorn-ui"}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(
            "longhorn-ui",
            "longhorn-system",
            labels={**labels, "app.kubernetes.io/name": "longhorn", "app.kubernetes.io/version": "v1.6.2"},
            kind="Deployment",
            generation=1,
        ),
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "longhorn-ui",
                            "image": "longhornio/longhorn-ui:v1.6.2",
                            "ports": [{"containerPort": 8000, "name": "http"}],
                        }
                    ]
                },
            },
        },
        "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2},
    }
    rs = replicaset(deploy, "6f4d8b7c9")
    ui_pod = owned_pod(rs, "k8vbt", node_name="k3s1")
    svc = service(
        "longhorn-frontend",
        "longhorn-system",
        labels,
        [{"name": "http", "port": 80, "targetPort": "http"}],
        labels={"app": "longhorn-ui", "app.kubernetes.io/name": "longhorn"},
    )
    return deploy, rs, ui_pod, svc


def node_problem_detector() -> dict[str, Any]:
    return daemonset(
        "node-problem-detector",
        "kube-system",
        labels={"app.kubernetes.io/name": "node-problem-detector", "app.kubernetes.io/instance": "npd"},
        containers=[
            {
                "name": "node-problem-detector",
                "image": "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.19",
            }
        ],
    )


# -- oauth2-proxy (chart oauth2-proxy/oauth2-proxy 7.7.1) ------------------------------------------------------

O2P_LABELS = {
    "app": "oauth2-proxy",
    "app.kubernetes.io/name": "oauth2-proxy",
    "app.kubernetes.io/instance": "oauth2-proxy",
    "app.kubernetes.io/component": "authentication-proxy",
    "app.kubernetes.io/part-of": "oauth2-proxy",
    "app.kubernetes.io/managed-by": "Helm",
    "helm.sh/chart": "oauth2-proxy-7.7.1",
    "app.kubernetes.io/version": "7.6.0",
}
O2P_SELECTOR = {"app.kubernetes.io/name": "oauth2-proxy", "app.kubernetes.io/instance": "oauth2-proxy"}
AUTHENTIK_ISSUER = "https://authentik.fletcherlabs.net/application/o/prometheus/"
PROMETHEUS_UPSTREAM = f"http://{KPS}-prometheus.monitoring.svc.cluster.local:9090"


def oauth2_proxy_deployment(
    namespace: str = "monitoring",
    *,
    issuer: str = AUTHENTIK_ISSUER,
    upstream: str = PROMETHEUS_UPSTREAM,
    ready: int = 1,
    cookie_env_value: str | None = None,
    termination_policy: str = "File",
) -> dict[str, Any]:
    """The Deployment the chart renders for ``extraArgs: {provider: oidc, oidc-issuer-url, upstream}``.

    oauth2-proxy logs its fatal error and writes no termination-log: the message only reaches
    ``lastState.terminated.message`` with ``terminationMessagePolicy: FallbackToLogsOnError``.
    """
    cookie_env: dict[str, Any] = (
        {"name": "OAUTH2_PROXY_COOKIE_SECRET", "value": cookie_env_value}
        if cookie_env_value is not None
        else {
            "name": "OAUTH2_PROXY_COOKIE_SECRET",
            "valueFrom": {"secretKeyRef": {"name": "oauth2-proxy", "key": "cookie-secret"}},
        }
    )
    container = {
        "name": "oauth2-proxy",
        "image": "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0",
        "imagePullPolicy": "IfNotPresent",
        "args": [
            "--http-address=0.0.0.0:4180",
            "--https-address=0.0.0.0:4443",
            "--metrics-address=0.0.0.0:44180",
            f"--oidc-issuer-url={issuer}",
            "--provider=oidc",
            f"--upstream={upstream}",
            "--config=/etc/oauth2_proxy/oauth2_proxy.cfg",
        ],
        "env": [
            {
                "name": "OAUTH2_PROXY_CLIENT_ID",
                "valueFrom": {"secretKeyRef": {"name": "oauth2-proxy", "key": "client-id"}},
            },
            {
                "name": "OAUTH2_PROXY_CLIENT_SECRET",
                "valueFrom": {"secretKeyRef": {"name": "oauth2-proxy", "key": "client-secret"}},
            },
            cookie_env,
        ],
        "ports": [
            {"containerPort": 4180, "name": "http", "protocol": "TCP"},
            {"containerPort": 44180, "name": "metrics", "protocol": "TCP"},
        ],
        "livenessProbe": {
            "httpGet": {"path": "/ping", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 0,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 0,
            "timeoutSeconds": 5,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "resources": {},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsGroup": 2000,
            "runAsNonRoot": True,
            "runAsUser": 2000,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": termination_policy,
        "volumeMounts": [
            {
                "mountPath": "/etc/oauth2_proxy/oauth2_proxy.cfg",
                "name": "configmain",
                "subPath": "oauth2_proxy.cfg",
            }
        ],
    }
    status: dict[str, Any] = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1}
    if ready:
        status.update({"readyReplicas": ready, "availableReplicas": ready})
    else:
        status["unavailableReplicas"] = 1
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(
            "oauth2-proxy",
            namespace,
            labels=O2P_LABELS,
            kind="Deployment",
            generation=1,
            annotations={
                "deployment.kubernetes.io/revision": "3",
                "meta.helm.sh/release-name": "oauth2-proxy",
                "meta.helm.sh/release-namespace": namespace,
            },
        ),
        "spec": {
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": O2P_SELECTOR},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {
                "metadata": {
                    "labels": dict(O2P_LABELS),
                    "annotations": {"checksum/config": "3f1b6c2d", "checksum/secret": "9a8e7d6c"},
                },
                "spec": {
                    "serviceAccountName": "oauth2-proxy",
                    "automountServiceAccountToken": True,
                    "enableServiceLinks": True,
                    "containers": [container],
                    "volumes": [
                        {"name": "configmain", "configMap": {"name": "oauth2-proxy", "defaultMode": 420}}
                    ],
                },
            },
        },
        "status": status,
    }


def oauth2_proxy_secret(cookie_secret: str, namespace: str = "monitoring") -> dict[str, Any]:
    return secret(
        "oauth2-proxy",
        namespace,
        {"client-id": "prometheus-oauth2", "client-secret": "x" * 64, "cookie-secret": cookie_secret},
        labels=dict(O2P_LABELS),
    )


def oauth2_proxy_configmap(namespace: str = "monitoring", extra: str = "") -> dict[str, Any]:
    cfg = 'email_domains = [ "*" ]\nupstreams = [ "file:///dev/null" ]\n' + extra
    return configmap("oauth2-proxy", namespace, {"oauth2_proxy.cfg": cfg}, labels=dict(O2P_LABELS))


def oauth2_proxy_service(namespace: str = "monitoring") -> dict[str, Any]:
    return service(
        "oauth2-proxy",
        namespace,
        O2P_SELECTOR,
        [
            {"name": "http", "port": 80, "targetPort": "http", "appProtocol": "http"},
            {"name": "metrics", "port": 44180, "targetPort": "metrics"},
        ],
        labels=dict(O2P_LABELS),
    )


def oauth2_proxy_pod(
    deploy: dict[str, Any], *, message: str = "", ready: bool = True
) -> tuple[dict[str, Any], ...]:
    """(ReplicaSet, Pod); a failing pod crash-loops with ``message`` as its last termination message."""
    rs = replicaset(deploy, "84c6d9f7b")
    image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
    if ready:
        statuses = [container_status("oauth2-proxy", image)]
    else:
        statuses = [crashloop_status("oauth2-proxy", image, restarts=9, message=message)]
    return rs, owned_pod(rs, "qz7lm", node_name="k3s2", statuses=statuses)


# -- pods whose sandbox gets no IP (Cilium: https://github.com/cilium/cilium/issues/10627; host-local under
# flannel: https://github.com/k3s-io/k3s/issues/4682, https://github.com/k3s-io/k3s/issues/7078) ---------
CILIUM_RANGE_FULL = (
    'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "57ae1891": '
    'plugin type="cilium-cni" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] '
    "postIpamFailure  range is full"
)
HOST_LOCAL_RANGE_FULL = (
    'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "36bde45b": '
    'plugin type="flannel" failed (add): failed to delegate add: failed to allocate for range 0: no IP addresses available in range set: '
    "10.42.2.1-10.42.2.254"
)


def sandbox_stuck_pods(name: str, node_name: str, message: str) -> list[dict[str, Any]]:
    """A Deployment whose new pod on ``node_name`` waits for a sandbox the CNI cannot give an IP: the
    owner chain, the pod and the kubelet's FailedCreatePodSandBox event (``message``, as the runtime says it)."""
    return stuck_pods(name, node_name, "FailedCreatePodSandBox", message)


def stuck_pods(name: str, node_name: str, reason: str, message: str) -> list[dict[str, Any]]:
    """A Deployment whose new pod on ``node_name`` stays in ContainerCreating: the owner chain, the pod and
    the kubelet's event of ``reason`` (FailedCreatePodSandBox, FailedMount) with ``message`` as it says it."""
    dep = deployment(name, "media", ready=0)
    rs = replicaset(dep)
    status = container_status(name, f"ghcr.io/example/{name}:1.0.0", state="waiting", ready=False)
    p = owned_pod(rs, "h2cbw", node_name=node_name, phase="Pending", statuses=[status], ready=False)
    return [dep, rs, p, event(p, reason, message, count=96)]


# etcd timeouts passed on by the API server, as controllers log them when a lease write times out (client-go
# leaderelection; https://github.com/k3s-io/k3s/issues/2853)
DATASTORE_KLOG = (
    "E0616 02:57:59.303118       1 leaderelection.go:429] Failed to update lock optimitically: Put "
    '"https://10.43.0.1:443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cert-manager-controller": '
    "etcdserver: request timed out, falling back to slow path\n"
    'E0616 02:58:01.118301       1 main.go:43] "error executing command" err="error starting controller: leader '
    'election lost"'
)
DATASTORE_ZAP = (
    '{"level":"error","msg":"Failed to update lock optimitically: etcdserver: request timed out, falling back to '
    'slow path"}\n{"level":"error","logger":"setup","msg":"problem running manager","error":"leader election lost"}'
)


def lease_losing_controller(
    name: str, namespace: str, node_name: str, message: str, *, ago: timedelta
) -> list[dict[str, Any]]:
    dep = deployment(name, namespace)
    rs = replicaset(dep)
    status = container_status(
        name,
        f"ghcr.io/example/{name}:1.0.0",
        restarts=23,
        last_terminated={"message": message, "finishedAt": ts(ago)},
    )
    return [dep, rs, owned_pod(rs, "x2x9k", node_name=node_name, statuses=[status])]


def datastore_timeout_cluster(ago: timedelta = timedelta(minutes=30)) -> list[dict[str, Any]]:
    """One K3s server, and two controllers on two nodes that lost their leases to etcd timeouts."""
    return [
        node("k3s-master1", control_plane=True),
        node("k3s2"),
        *lease_losing_controller("cert-manager", "cert-manager", "k3s2", DATASTORE_KLOG, ago=ago),
        *lease_losing_controller(
            "kustomize-controller", "flux-system", "k3s-master1", DATASTORE_ZAP, ago=ago
        ),
    ]


def crashlooping_app(name: str, node_name: str) -> list[dict[str, Any]]:
    """A Deployment whose one pod on ``node_name`` crash-loops for reasons of its own (a failure on the same
    node that a node cause must not claim)."""
    dep = deployment(name, "home", ready=0)
    rs = replicaset(dep)
    status = container_status(
        name, f"ghcr.io/example/{name}:1.0.0", state="waiting", reason="CrashLoopBackOff", restarts=30
    )
    return [dep, rs, owned_pod(rs, "q7x2m", node_name=node_name, statuses=[status], ready=False)]


CORDON_AND_LOCAL_VOLUME = (
    "0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) had volume node affinity conflict. "
    "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
)
"""kube-scheduler's FailedScheduling when a pod's local volume is pinned to the one node that is cordoned
(NodeUnschedulable and VolumeBinding filters; https://github.com/kubernetes/kubernetes/issues/108096)."""


def pinned_volume_app(
    name: str, pinned_to: str, message: str = CORDON_AND_LOCAL_VOLUME
) -> list[dict[str, Any]]:
    """A Deployment whose pod waits unscheduled (``message``: the scheduler's words) with its claim bound to a
    local-path PersistentVolume pinned to ``pinned_to``: owner chain, pod, FailedScheduling event, PVC, PV."""
    dep = deployment(name, "home", ready=0)
    rs = replicaset(dep)
    p = pending_pod(f"{rs['metadata']['name']}-x8k2p", "home", message, owner=rs, age=timedelta(hours=44))
    claim = pvc(
        f"{name}-config", "home", "local-path", provisioner="rancher.io/local-path", selected_node=pinned_to
    )
    p["spec"]["volumes"] = [
        {"name": "config", "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}}
    ]
    return [dep, rs, p, scheduler_event(p, message, count=412), claim, local_path_pv(claim, pinned_to)]


NO_FREE_PORTS = (
    "0/4 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 3 node(s) didn't match "
    "Pod's node affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming "
    "pod, 3 Preemption is not helpful for scheduling."
)
"""kube-scheduler's NodePorts filter when another pod holds the hostPort (https://github.com/k3s-io/k3s/issues/1969)."""


def servicelb(
    name: str,
    namespace: str,
    ports: list[tuple[int, str]],
    *,
    node_name: str = "k3s-master1",
    running: bool = True,
) -> list[dict[str, Any]]:
    """A LoadBalancer Service and the svclb DaemonSet K3s's ServiceLB runs for it, with its pod on ``node_name``:
    running and holding ``ports`` (port, protocol) as hostPorts, or Pending on the scheduler's NO_FREE_PORTS."""
    svc = service(
        name,
        namespace,
        {"app.kubernetes.io/name": name},
        [
            {"name": f"p{port}-{proto.lower()}", "port": port, "protocol": proto, "targetPort": port}
            for port, proto in ports
        ],
    )
    svc["spec"]["type"] = "LoadBalancer"
    if running:
        svc["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.10.30", "ipMode": "VIP"}]}}
    ds_name = f"svclb-{name}-{svc['metadata']['uid'][:8]}"
    labels = {
        "app": ds_name,
        "svccontroller.k3s.cattle.io/svcname": name,
        "svccontroller.k3s.cattle.io/svcnamespace": namespace,
    }
    containers = [
        {
            "name": f"lb-{proto.lower()}-{port}",
            "image": "rancher/klipper-lb:v0.4.13",
            "ports": [
                {
                    "containerPort": port,
                    "hostPort": port,
                    "name": f"lb-{proto.lower()}-{port}",
                    "protocol": proto,
                }
            ],
        }
        for port, proto in ports
    ]
    ds = daemonset(
        ds_name, "kube-system", labels=labels, containers=containers, desired=1, ready=1 if running else 0
    )
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
                ]
            }
        }
    }
    ds["spec"]["template"]["spec"]["affinity"] = affinity
    if running:
        return [svc, ds, owned_pod(ds, "q4fzt", node_name=node_name)]
    p = owned_pod(
        ds,
        "k9qmb",
        node_name=None,
        phase="Pending",
        ready=False,
        conditions=unschedulable_conditions(NO_FREE_PORTS),
    )
    return [svc, ds, p, scheduler_event(p, NO_FREE_PORTS, count=64)]


UNKNOWN_DIRECTIVE = (
    "/etc/coredns/custom/home.server:3 - Error during parsing: Unknown directive 'k8s_gateway'"
)
"""CoreDNS's exit when a server block imported from coredns-custom names a plugin its build lacks
(https://github.com/ori-edge/k8s_gateway/issues/76)."""


def coredns_with_custom(
    message: str = UNKNOWN_DIRECTIVE, *, custom_key: str = "home.server"
) -> list[dict[str, Any]]:
    """K3s's CoreDNS Deployment crash-looping with ``message`` as its last termination message: the coredns
    ConfigMap at /etc/coredns (items Corefile, NodeHosts) and the optional coredns-custom at /etc/coredns/custom
    (with the one key ``custom_key``), the owner chain and the pod."""
    dep = deployment("coredns", "kube-system", ready=0, labels={"k8s-app": "kube-dns"})
    mounts = [
        {"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": True},
        {"mountPath": "/etc/coredns/custom", "name": "custom-config-volume", "readOnly": True},
    ]
    image = "rancher/mirrored-coredns-coredns:1.12.1"
    container = {"name": "coredns", "image": image, "volumeMounts": mounts}
    template = dep["spec"]["template"]["spec"]
    template["containers"] = [container]
    template["volumes"] = [
        {
            "name": "config-volume",
            "configMap": {
                "name": "coredns",
                "items": [{"key": "Corefile", "path": "Corefile"}, {"key": "NodeHosts", "path": "NodeHosts"}],
            },
        },
        {"name": "custom-config-volume", "configMap": {"name": "coredns-custom", "optional": True}},
    ]
    rs = replicaset(dep)
    status = crashloop_status("coredns", image, restarts=61, message=message)
    p = owned_pod(rs, "rtlk4", node_name="k3s-master1", statuses=[status], ready=False)
    corefile = ".:53 {\n    errors\n    forward . /etc/resolv.conf\n}\nimport /etc/coredns/custom/*.server\n"
    return [
        dep,
        rs,
        p,
        configmap(
            "coredns", "kube-system", {"Corefile": corefile, "NodeHosts": "192.168.10.30 k3s-master1\n"}
        ),
        configmap(
            "coredns-custom", "kube-system", {custom_key: "home.arpa:53 {\n    k8s_gateway home.arpa\n}\n"}
        ),
    ]


UNINITIALIZED_TAINT = {
    "key": "node.cloudprovider.kubernetes.io/uninitialized",
    "value": "true",
    "effect": "NoSchedule",
}
TAINT_HOLDS_POD = (
    "0/3 nodes are available: 1 node(s) had untolerated taint {node.cloudprovider.kubernetes.io/uninitialized: "
    "true}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption "
    "is not helpful for scheduling."
)
"""kube-scheduler's TaintToleration filter (https://github.com/kubernetes/cloud-provider-openstack/issues/2200)."""


def pinned_app(name: str, node_name: str, message: str = TAINT_HOLDS_POD) -> list[dict[str, Any]]:
    """A Deployment whose pod, pinned to ``node_name`` by a hostname nodeSelector, waits unscheduled
    (``message``: the scheduler's words): owner chain, pod, FailedScheduling event."""
    dep = deployment(name, "home", ready=0)
    rs = replicaset(dep)
    p = pending_pod(f"{rs['metadata']['name']}-q7v2n", "home", message, owner=rs, age=timedelta(hours=3))
    p["spec"]["nodeSelector"] = {"kubernetes.io/hostname": node_name}
    return [dep, rs, p, scheduler_event(p, message, count=40)]


def named_port_app(target_port: str, pod_port: str) -> list[dict[str, Any]]:
    """linkding's Deployment with one Ready pod whose container port is named ``pod_port``, its Service with
    ``targetPort: target_port`` and the EndpointSlice the controller writes: the Service's port when the names
    agree, no port at all when they do not (https://github.com/kubernetes/kubernetes/issues/109627)."""
    container = {
        "name": "app",
        "image": "sissbruecker/linkding:1.39.1",
        "ports": [{"name": pod_port, "containerPort": 9090, "protocol": "TCP"}],
    }
    dep = deployment("linkding", "home", pod_spec={"containers": [container]})
    rs = replicaset(dep)
    p = owned_pod(rs, "czqfz")
    svc = service(
        "linkding",
        "home",
        {"app.kubernetes.io/name": "linkding"},
        [{"name": "http", "port": 80, "targetPort": target_port}],
    )
    eps = endpoint_slice(svc, [("10.42.1.179", p["metadata"]["name"], True)])
    if target_port != pod_port:
        eps["ports"] = None
    route = http_route("linkding", "home", ["linkding.fletcherlabs.net"], [("linkding", 80)])
    return [dep, rs, p, svc, eps, route]
