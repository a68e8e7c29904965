"""Writes tests/live/data/: a small K3s + Flux homelab in a bad hour, in the layout `snapshot capture` writes.

Run from the repo root: ``python tests/live/make_data.py``. The output is committed; this script documents
where it came from. It uses the shared test builders, so objects are shaped as the API server returns them.

The cluster: k3s-master1 (control plane), k3s1 (kubelet silent for 3 days, pods stuck Terminating on it),
k3s2, k3s3 (T4 GPU time-sliced to 4); Cilium, Longhorn and local-path, Flux with one HelmRelease failing on
a missing values Secret and one still on helm.toolkit.fluxcd.io/v2beta1, cert-manager with a wildcard
certificate that does not issue, a CrashLoopBackOff app, a GPU pod Pending.
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from homelabctl import kinds  # noqa: E402
from homelabctl.timeutil import format_time  # noqa: E402

from factories import (  # noqa: E402
    NOW,
    container_status,
    deployment,
    event,
    meta,
    node,
    owner_ref,
    pod,
    ts,
    uid,
)
from factories_infra import (  # noqa: E402
    cilium_config,
    cilium_daemonset,
    cilium_pod,
    csi_driver,
    csi_node,
    local_path_pv,
    pvc,
    statefulset,
    storage_class,
)
from factories_platform import (  # noqa: E402
    certificate,
    cluster_issuer,
    condition,
    git_repository,
    helm_release,
    helm_repository,
    kustomization,
)

DATA = HERE / "data"
NODE_IPS = {
    "k3s-master1": "192.168.10.10",
    "k3s1": "192.168.10.11",
    "k3s2": "192.168.10.12",
    "k3s3": "192.168.10.13",
}
NOT_INSTALLED = {
    kinds.CILIUM_BGP_PEERING_POLICY,
    kinds.CILIUM_BGP_CLUSTER_CONFIG,
    kinds.CILIUM_LB_IP_POOL,
    f"CiliumNode.{kinds.CILIUM}",
    kinds.PROMETHEUS,
    kinds.ALERTMANAGER,
    f"PrometheusRule.{kinds.PROMETHEUS.split('.', 1)[1]}",
    f"ServiceMonitor.{kinds.PROMETHEUS.split('.', 1)[1]}",
    kinds.OCI_REPOSITORY,
    f"GRPCRoute.{kinds.GATEWAY}",
    f"ReferenceGrant.{kinds.GATEWAY}",
    kinds.LONGHORN_VOLUME,
    kinds.LONGHORN_NODE,
    kinds.LONGHORN_SETTING,
    kinds.BACKUP_STORAGE_LOCATION,
    kinds.VOLUME_SNAPSHOT_LOCATION,
    kinds.VELERO_SCHEDULE,
    kinds.VELERO_BACKUP,
    kinds.GATEWAY_CLASS,
    kinds.GATEWAY_KIND,
    kinds.HTTPROUTE,
}


def on_node(obj: dict[str, Any], node_name: str, pod_ip: str) -> dict[str, Any]:
    obj["spec"]["nodeName"] = node_name
    ip = NODE_IPS[node_name]
    obj["status"].update({"hostIP": ip, "hostIPs": [{"ip": ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}]})
    return obj


def replicaset_for(dep: dict[str, Any], suffix: str) -> dict[str, Any]:
    md = dep["metadata"]
    labels = {**dep["spec"]["selector"]["matchLabels"], "pod-template-hash": suffix}
    rs_meta = meta(
        f"{md['name']}-{suffix}",
        md["namespace"],
        labels=labels,
        kind="ReplicaSet",
        annotations={
            "deployment.kubernetes.io/desired-replicas": str(dep["spec"]["replicas"]),
            "deployment.kubernetes.io/max-replicas": str(dep["spec"]["replicas"] + 1),
            "deployment.kubernetes.io/revision": "1",
        },
    )
    rs_meta["ownerReferences"] = [owner_ref(dep)]
    ready = dep["status"].get("readyReplicas", 0)
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": rs_meta,
        "spec": {
            "replicas": dep["spec"]["replicas"],
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": dep["spec"]["template"]["spec"]},
        },
        "status": {
            "replicas": dep["spec"]["replicas"],
            "fullyLabeledReplicas": dep["spec"]["replicas"],
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": 1,
        },
    }


def deployed_pod(
    rs: dict[str, Any], pod_suffix: str, node_name: str, pod_ip: str, **kwargs: Any
) -> dict[str, Any]:
    labels = rs["spec"]["selector"]["matchLabels"]
    containers = rs["spec"]["template"]["spec"]["containers"]
    obj = pod(
        f"{rs['metadata']['name']}-{pod_suffix}",
        rs["metadata"]["namespace"],
        node_name=node_name,
        labels=labels,
        owner=rs,
        containers=containers,
        **kwargs,
    )
    return on_node(obj, node_name, pod_ip)


def namespace(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": meta(
            name, kind="Namespace", age=timedelta(days=120), labels={"kubernetes.io/metadata.name": name}
        ),
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def service(
    name: str,
    ns: str,
    selector: dict[str, str],
    port: int,
    cluster_ip: str,
    *,
    target_port: int | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, ns, kind="Service", age=timedelta(days=60)),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "ports": [{"name": "http", "port": port, "protocol": "TCP", "targetPort": target_port or port}],
            "selector": selector,
            "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
        },
        "status": {"loadBalancer": {}},
    }


def endpoints(svc: dict[str, Any], pods: list[dict[str, Any]]) -> dict[str, Any]:
    port = svc["spec"]["ports"][0]
    ready = [
        p
        for p in pods
        if p["status"].get("phase") == "Running"
        and all(c.get("ready") for c in p["status"].get("containerStatuses", []))
    ]
    not_ready = [p for p in pods if p not in ready and p["status"].get("podIP")]

    def address(p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ip": p["status"]["podIP"],
            "nodeName": p["spec"]["nodeName"],
            "targetRef": {
                "kind": "Pod",
                "name": p["metadata"]["name"],
                "namespace": p["metadata"]["namespace"],
                "uid": p["metadata"]["uid"],
            },
        }

    subset: dict[str, Any] = {
        "ports": [{"name": port["name"], "port": port["targetPort"], "protocol": "TCP"}]
    }
    if ready:
        subset["addresses"] = [address(p) for p in ready]
    if not_ready:
        subset["notReadyAddresses"] = [address(p) for p in not_ready]
    md = meta(
        svc["metadata"]["name"],
        svc["metadata"]["namespace"],
        kind="Endpoints",
        age=timedelta(days=60),
        labels={"app.kubernetes.io/name": svc["metadata"]["name"]},
    )
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": md,
        "subsets": [subset] if ready or not_ready else [],
    }


def flux_crd(
    plural: str, group: str, kind: str, short: list[str], versions: list[str], columns: list[dict[str, Any]]
) -> dict[str, Any]:
    """A Flux CRD as the API returns it, minus the OpenAPI schemas (capture drops them too)."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": meta(
            f"{plural}.{group}",
            kind="CustomResourceDefinition",
            age=timedelta(days=90),
            annotations={"controller-gen.kubebuilder.io/version": "v0.16.1"},
            labels={
                "app.kubernetes.io/component": group.split(".")[0] + "-controller",
                "app.kubernetes.io/instance": "flux-system",
                "app.kubernetes.io/part-of": "flux",
                "app.kubernetes.io/version": "v2.5.1",
            },
        ),
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "conversion": {"strategy": "None"},
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": short,
            },
            "versions": [
                {
                    "name": v,
                    "served": True,
                    "storage": i == 0,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": columns,
                    **(
                        {
                            "deprecated": True,
                            "deprecationWarning": f"{group}/{v} {kind} is deprecated, "
                            f"upgrade to {versions[0]}",
                        }
                        if i
                        else {}
                    ),
                }
                for i, v in enumerate(versions)
            ],
        },
        "status": {
            "acceptedNames": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": short,
            },
            "conditions": [
                condition(
                    "NamesAccepted", "True", "NoConflicts", "no conflicts found", age=timedelta(days=90)
                ),
                condition(
                    "Established",
                    "True",
                    "InitialNamesAccepted",
                    "the initial names have been accepted",
                    age=timedelta(days=90),
                ),
            ],
            "storedVersions": list(reversed(versions)),
        },
    }


FLUX_COLUMNS = [
    {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"},
    {"jsonPath": '.status.conditions[?(@.type=="Ready")].status', "name": "Ready", "type": "string"},
    {"jsonPath": '.status.conditions[?(@.type=="Ready")].message', "name": "Status", "type": "string"},
]


def build() -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    add = objs.append
    for ns in (
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "flux-system",
        "media",
        "ai",
        "infrastructure",
        "auth",
        "cert-manager",
        "longhorn-system",
        "networking",
        "velero",
    ):
        add(namespace(ns))

    gpu = {"nvidia.com/gpu": "4"}
    nodes = {
        "k3s-master1": node("k3s-master1", control_plane=True, since=timedelta(days=40)),
        "k3s1": node(
            "k3s1",
            ready="Unknown",
            since=timedelta(days=3, hours=2),
            taints=[
                {
                    "key": "node.kubernetes.io/unreachable",
                    "effect": "NoSchedule",
                    "timeAdded": ts(timedelta(days=3, hours=2)),
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "effect": "NoExecute",
                    "timeAdded": ts(timedelta(days=3, hours=2)),
                },
            ],
        ),
        "k3s2": node("k3s2", since=timedelta(days=12)),
        "k3s3": node(
            "k3s3",
            since=timedelta(days=6),
            allocatable=gpu,
            labels={
                "nvidia.com/gpu.product": "Tesla-T4-SHARED",
                "nvidia.com/gpu.replicas": "4",
                "nvidia.com/gpu.sharing-strategy": "time-slicing",
            },
        ),
    }
    for name, obj in nodes.items():
        ip = NODE_IPS[name]
        obj["status"]["addresses"] = [
            {"type": "InternalIP", "address": ip},
            {"type": "Hostname", "address": name},
        ]
        obj["metadata"]["annotations"]["k3s.io/internal-ip"] = ip
        obj["metadata"]["annotations"]["flannel.alpha.coreos.com/public-ip"] = ip
        add(obj)

    # kube-system: coredns, metrics-server, cilium on every node (the k3s1 agent is gone with its node)
    coredns = deployment(
        "coredns",
        "kube-system",
        labels={"k8s-app": "kube-dns"},
        pod_spec={
            "containers": [
                {
                    "name": "coredns",
                    "image": "rancher/mirrored-coredns-coredns:1.12.1",
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "70Mi"},
                        "limits": {"memory": "170Mi"},
                    },
                }
            ],
            "priorityClassName": "system-cluster-critical",
        },
    )
    coredns_rs = replicaset_for(coredns, "5b7c8f6d4")
    coredns_pod = deployed_pod(coredns_rs, "x7k2p", "k3s-master1", "10.42.0.12")
    objs += [coredns, coredns_rs, coredns_pod]
    kube_dns = service("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, 53, "10.43.0.10")
    kube_dns["spec"]["ports"] = [
        {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
    ]
    add(kube_dns)
    metrics = deployment(
        "metrics-server",
        "kube-system",
        labels={"k8s-app": "metrics-server"},
        pod_spec={
            "containers": [
                {
                    "name": "metrics-server",
                    "image": "rancher/mirrored-metrics-server:v0.7.2",
                    "args": [
                        "--cert-dir=/tmp",
                        "--secure-port=10250",
                        "--kubelet-preferred-address-types=InternalIP",
                    ],
                }
            ]
        },
    )
    metrics_rs = replicaset_for(metrics, "6d94bc8694")
    objs += [metrics, metrics_rs, deployed_pod(metrics_rs, "q9lzs", "k3s-master1", "10.42.0.15")]

    cilium = cilium_daemonset(desired=4, ready=3)
    add(cilium)
    add(cilium_config())
    for i, name in enumerate(nodes):
        if name == "k3s1":
            agent = cilium_pod(cilium, name, "m4xw2", ready=False)
            agent["status"]["conditions"] = [
                {
                    "type": "Ready",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": ts(timedelta(days=3, hours=2)),
                },
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": ts(timedelta(days=30)),
                },
            ]
        else:
            agent = cilium_pod(cilium, name, f"{'abcd'[i]}8r2v")
        agent["spec"]["hostNetwork"] = True
        on_node(agent, name, NODE_IPS[name])
        add(agent)

    # storage
    add(storage_class("longhorn", default=True))
    add(storage_class("local-path", "rancher.io/local-path", binding_mode="WaitForFirstConsumer"))
    add(csi_driver())
    for name in nodes:
        add(csi_node(name, ["driver.longhorn.io"] if name != "k3s1" else []))

    # media: jellyfin fine on k3s2; sonarr and radarr stuck Terminating on the dead k3s1
    for app, image, node_name, ip, stuck in (
        ("jellyfin", "jellyfin/jellyfin:10.10.7", "k3s2", "10.42.2.31", False),
        ("sonarr", "lscr.io/linuxserver/sonarr:4.0.14", "k3s1", "10.42.1.40", True),
        ("radarr", "lscr.io/linuxserver/radarr:5.22.4", "k3s1", "10.42.1.41", True),
    ):
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": app}
        dep = deployment(
            app,
            "media",
            labels=labels,
            ready=0 if stuck else 1,
            pod_spec={
                "containers": [
                    {
                        "name": app,
                        "image": image,
                        "ports": [
                            {
                                "containerPort": 8096 if app == "jellyfin" else 8989,
                                "name": "http",
                                "protocol": "TCP",
                            }
                        ],
                        "env": [{"name": "TZ", "value": "Europe/Berlin"}],
                        "resources": {"requests": {"cpu": "200m", "memory": "512Mi"}},
                    }
                ],
                "volumes": [{"name": "config", "persistentVolumeClaim": {"claimName": f"{app}-config"}}],
            },
        )
        rs = replicaset_for(dep, {"jellyfin": "7f9d6c8b5", "sonarr": "84c5d7f9b", "radarr": "6b8f4c7d9"}[app])
        if stuck:
            running = deployed_pod(rs, "tq2wd", node_name, ip, deletion=timedelta(days=2, hours=23))
            running["status"]["conditions"][2].update(
                {"status": "False", "lastTransitionTime": ts(timedelta(days=3, hours=2))}
            )
            for cs in running["status"]["containerStatuses"]:
                cs["ready"] = False
            replacement = deployed_pod(
                rs,
                "hz8mk",
                "k3s2",
                "10.42.2.77",
                phase="Pending",
                statuses=[container_status(app, image, state="waiting", reason="ContainerCreating")],
            )
            objs += [running, replacement]
            add(
                event(
                    replacement,
                    "FailedAttachVolume",
                    f'Multi-Attach error for volume "pvc-{uid("media" + app + "-config")}" Volume is already '
                    "exclusively attached to one node and can't be attached to another",
                    component="attachdetach-controller",
                    count=412,
                    age=timedelta(minutes=1),
                )
            )
        else:
            objs.append(deployed_pod(rs, "9wq4n", node_name, ip))
        objs += [dep, rs]
        claim = pvc(f"{app}-config", "media", "longhorn", size="5Gi")
        add(claim)
        svc = service(
            app,
            "media",
            labels,
            8096 if app == "jellyfin" else 8989,
            {"jellyfin": "10.43.88.14", "sonarr": "10.43.102.7", "radarr": "10.43.151.203"}[app],
        )
        add(svc)

    # infrastructure: postgres on local-path, project-bootstrapper crash-looping
    pg_labels = {"app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "postgresql"}
    pg = statefulset(
        "postgresql",
        "infrastructure",
        labels=pg_labels,
        image="docker.io/bitnami/postgresql:16.4.0",
        claim_templates=["data"],
    )
    add(pg)
    pg_claim = pvc(
        "data-postgresql-0",
        "infrastructure",
        "local-path",
        size="20Gi",
        labels=pg_labels,
        provisioner="rancher.io/local-path",
        selected_node="k3s2",
    )
    add(pg_claim)
    add(local_path_pv(pg_claim, "k3s2"))
    pg_pod = pod(
        "postgresql-0",
        "infrastructure",
        node_name="k3s2",
        labels={
            **pg_labels,
            "apps.kubernetes.io/pod-index": "0",
            "statefulset.kubernetes.io/pod-name": "postgresql-0",
        },
        owner=pg,
        containers=[
            {
                "name": "postgresql",
                "image": "docker.io/bitnami/postgresql:16.4.0",
                "env": [
                    {"name": "POSTGRES_USER", "value": "app"},
                    {
                        "name": "POSTGRES_PASSWORD",
                        "valueFrom": {"secretKeyRef": {"name": "postgresql", "key": "postgres-password"}},
                    },
                ],
                "volumeMounts": [{"name": "data", "mountPath": "/bitnami/postgresql"}],
            }
        ],
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data-postgresql-0"}}],
    )
    add(on_node(pg_pod, "k3s2", "10.42.2.50"))
    add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": meta(
                "postgresql", "infrastructure", kind="Secret", labels={"app.kubernetes.io/name": "postgresql"}
            ),
            "data": {"postgres-password": base64.b64encode(b"not-a-real-password-0000").decode()},
        }
    )

    boot_labels = {"app": "project-bootstrapper"}
    boot = deployment(
        "project-bootstrapper",
        "infrastructure",
        labels=boot_labels,
        ready=0,
        pod_spec={
            "containers": [
                {
                    "name": "bootstrapper",
                    "image": "ghcr.io/fletcherlabs/project-bootstrapper:0.4.2",
                    "env": [
                        {"name": "LABEL_STUDIO_URL", "value": "http://label-studio.ai.svc.cluster.local:8080"}
                    ],
                }
            ]
        },
    )
    boot_rs = replicaset_for(boot, "5c6d8b9f7")
    crash = deployed_pod(
        boot_rs,
        "mv5xk",
        "k3s2",
        "10.42.2.61",
        ready=False,
        statuses=[
            container_status(
                "bootstrapper",
                "ghcr.io/fletcherlabs/project-bootstrapper:0.4.2",
                state="waiting",
                reason="CrashLoopBackOff",
                message="back-off 5m0s restarting failed container=bootstrapper pod=project-bootstrapper-5c6d8b9f7-mv5xk",
                restarts=1195,
                last_terminated={
                    "message": 'Get "http://label-studio.ai.svc.cluster.local:8080/api/projects": '
                    "dial tcp 10.43.71.170:8080: connect: network is unreachable"
                },
            )
        ],
    )
    objs += [boot, boot_rs, crash]
    add(
        event(
            crash,
            "BackOff",
            "Back-off restarting failed container bootstrapper in pod "
            "project-bootstrapper-5c6d8b9f7-mv5xk_infrastructure(" + crash["metadata"]["uid"] + ")",
            count=5321,
            age=timedelta(seconds=40),
        )
    )

    # ai: ollama on the T4, comfyui Pending on GPUs
    for app, image, serving in (
        ("ollama", "ollama/ollama:0.6.8", True),
        ("comfyui", "ghcr.io/ai-dock/comfy-ui:latest", False),
    ):
        labels = {"app.kubernetes.io/name": app}
        dep = deployment(
            app,
            "ai",
            labels=labels,
            ready=1 if serving else 0,
            pod_spec={
                "containers": [
                    {
                        "name": app,
                        "image": image,
                        "resources": {"limits": {"nvidia.com/gpu": "4" if serving else "1"}},
                    }
                ],
                "runtimeClassName": "nvidia",
            },
        )
        rs = replicaset_for(dep, "7c9b5d8f6" if serving else "55f7b9c4d")
        if serving:
            gpu_pod = deployed_pod(rs, "r2d9x", "k3s3", "10.42.3.20")
        else:
            gpu_pod = pod(
                f"{rs['metadata']['name']}-p7fq2",
                "ai",
                node_name=None,
                phase="Pending",
                labels=rs["spec"]["selector"]["matchLabels"],
                owner=rs,
                containers=rs["spec"]["template"]["spec"]["containers"],
            )
            gpu_pod["status"]["conditions"] = [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": ts(timedelta(hours=6)),
                    "reason": "Unschedulable",
                    "message": "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint "
                    "{node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector. "
                    "preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, "
                    "3 Preemption is not helpful for scheduling.",
                }
            ]
            add(
                event(
                    gpu_pod,
                    "FailedScheduling",
                    gpu_pod["status"]["conditions"][0]["message"],
                    component="default-scheduler",
                    count=73,
                    age=timedelta(minutes=3),
                )
            )
        objs += [dep, rs, gpu_pod]
    label_studio = service(
        "label-studio",
        "ai",
        {"app.kubernetes.io/name": "label-studio"},
        8080,
        "10.43.71.170",
        target_port=8085,
    )
    add(label_studio)

    # auth: oauth2-proxy with a 20-byte cookie secret
    o2p_labels = {"app.kubernetes.io/name": "oauth2-proxy"}
    o2p = deployment(
        "oauth2-proxy",
        "auth",
        labels=o2p_labels,
        ready=0,
        pod_spec={
            "containers": [
                {
                    "name": "oauth2-proxy",
                    "image": "quay.io/oauth2-proxy/oauth2-proxy:v7.8.1",
                    "args": [
                        "--provider=oidc",
                        "--upstream=static://202",
                        "--oidc-issuer-url=https://auth.fletcherlabs.net/application/o/grafana/",
                    ],
                    "env": [
                        {
                            "name": "OAUTH2_PROXY_COOKIE_SECRET",
                            "valueFrom": {"secretKeyRef": {"name": "oauth2-proxy", "key": "cookie-secret"}},
                        }
                    ],
                }
            ]
        },
    )
    o2p_rs = replicaset_for(o2p, "7d5f9c6b8")
    o2p_pod = deployed_pod(
        o2p_rs,
        "lw7tn",
        "k3s2",
        "10.42.2.90",
        ready=False,
        statuses=[
            container_status(
                "oauth2-proxy",
                "quay.io/oauth2-proxy/oauth2-proxy:v7.8.1",
                state="waiting",
                reason="CrashLoopBackOff",
                restarts=41,
                message="back-off 5m0s restarting failed container=oauth2-proxy",
                last_terminated={
                    "message": "[main.go:59] ERROR: Failed to initialise OAuth2 Proxy: invalid configuration:\n"
                    "  cookie_secret must be 16, 24, or 32 bytes to create an AES cipher, but is 20 bytes"
                },
            )
        ],
    )
    objs += [o2p, o2p_rs, o2p_pod]
    add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": meta("oauth2-proxy", "auth", kind="Secret"),
            "data": {
                "cookie-secret": base64.b64encode(b"twenty-bytes-secret!").decode(),
                "client-id": base64.b64encode(b"grafana").decode(),
                "client-secret": base64.b64encode(b"fake-client-secret-for-tests").decode(),
            },
        }
    )

    # a finished job
    job_labels = {"batch.kubernetes.io/job-name": "pg-dump-29160960", "job-name": "pg-dump-29160960"}
    job: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(
            "pg-dump-29160960", "infrastructure", kind="Job", age=timedelta(hours=3), labels=job_labels
        ),
        "spec": {
            "backoffLimit": 2,
            "completions": 1,
            "parallelism": 1,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid("job")}},
            "template": {
                "metadata": {"labels": job_labels},
                "spec": {
                    "containers": [{"name": "pg-dump", "image": "docker.io/bitnami/postgresql:16.4.0"}],
                    "restartPolicy": "OnFailure",
                },
            },
        },
        "status": {
            "startTime": ts(timedelta(hours=3)),
            "completionTime": ts(timedelta(hours=2, minutes=58)),
            "succeeded": 1,
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
            "conditions": [
                condition(
                    "SuccessCriteriaMet",
                    "True",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                    age=timedelta(hours=3),
                ),
                condition(
                    "Complete",
                    "True",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                    age=timedelta(hours=3),
                ),
            ],
        },
    }
    add(job)
    done = pod(
        "pg-dump-29160960-8kq4z",
        "infrastructure",
        node_name="k3s2",
        phase="Succeeded",
        labels=job_labels,
        owner=job,
        containers=job["spec"]["template"]["spec"]["containers"],
        statuses=[
            container_status(
                "pg-dump",
                "docker.io/bitnami/postgresql:16.4.0",
                state="terminated",
                reason="Completed",
                exit_code=0,
                ready=False,
            )
        ],
    )
    done["status"]["conditions"][2]["status"] = "False"
    done["status"]["conditions"][2]["reason"] = "PodCompleted"
    add(on_node(done, "k3s2", "10.42.2.99"))

    # node events
    add(
        event(
            nodes["k3s1"],
            "NodeNotReady",
            "Node k3s1 status is now: NodeNotReady",
            type_="Normal",
            component="node-controller",
            age=timedelta(days=3, hours=2),
        )
    )
    add(event(nodes["k3s2"], "Starting", "Starting kubelet.", type_="Normal", age=timedelta(days=12)))
    for ev in objs[-2:]:
        ev["involvedObject"].pop("namespace", None)
        ev["involvedObject"]["uid"] = ev["involvedObject"]["name"]

    # Flux
    add(git_repository())
    add(helm_repository("jellyfin", "https://jellyfin.github.io/jellyfin-helm"))
    add(helm_repository("bitnami", "oci://registry-1.docker.io/bitnamicharts"))
    add(kustomization("flux-system", path="./clusters/k3s-home"))
    add(kustomization("apps", depends_on=["infrastructure"]))
    add(
        kustomization(
            "infrastructure",
            ready=condition(
                "Ready",
                "False",
                "ReconciliationFailed",
                'CiliumBGPClusterConfig/cilium-bgp dry-run failed: no matches for kind "CiliumBGPClusterConfig" in version '
                '"cilium.io/v2alpha1"',
                age=timedelta(hours=9),
            ),
        )
    )
    add(helm_release("jellyfin", "media", chart="jellyfin", version="2.3.0"))
    add(
        helm_release(
            "velero",
            "velero",
            chart="velero",
            version="8.1.0",
            values_from=[{"kind": "Secret", "name": "velero-b2-credentials", "valuesKey": "values.yaml"}],
            ready=condition(
                "Ready",
                "False",
                "InitFailed",
                "could not resolve Secret chart values reference 'velero/velero-b2-credentials' with key "
                "'values.yaml': Secret \"velero-b2-credentials\" not found",
                age=timedelta(days=1),
            ),
        )
    )
    add(
        helm_release(
            "cert-manager",
            "cert-manager",
            chart="cert-manager",
            version="v1.15.3",
            api_version="helm.toolkit.fluxcd.io/v2beta1",
        )
    )
    add(
        flux_crd(
            "helmreleases",
            "helm.toolkit.fluxcd.io",
            "HelmRelease",
            ["hr"],
            ["v2", "v2beta2", "v2beta1"],
            FLUX_COLUMNS,
        )
    )
    add(
        flux_crd(
            "kustomizations",
            "kustomize.toolkit.fluxcd.io",
            "Kustomization",
            ["ks"],
            ["v1", "v1beta2", "v1beta1"],
            FLUX_COLUMNS,
        )
    )

    # cert-manager: the wildcard on an HTTP-01-only issuer never issues
    add(cluster_issuer())
    add(
        certificate(
            "wildcard-fletcherlabs-net",
            ready=condition(
                "Ready",
                "False",
                "DoesNotExist",
                "Issuing certificate as Secret does not exist",
                age=timedelta(hours=20),
            ),
            issuing=condition(
                "Issuing",
                "True",
                "DoesNotExist",
                "Issuing certificate as Secret does not exist",
                age=timedelta(hours=20),
            ),
            failed_attempts=6,
        )
    )

    # a ConfigMap with a real-looking key, to show redaction on load
    add(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("bootstrapper-config", "infrastructure", kind="ConfigMap"),
            "data": {"LOG_LEVEL": "debug", "LABEL_STUDIO_API_TOKEN": "not-a-real-token-1234567890"},
        }
    )

    pods = [o for o in objs if o["kind"] == "Pod"]
    for svc in [o for o in objs if o["kind"] == "Service"]:
        selector = svc["spec"]["selector"]
        members = [
            p
            for p in pods
            if p["metadata"]["namespace"] == svc["metadata"]["namespace"]
            and all(p["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
            and not p["metadata"].get("deletionTimestamp")
        ]
        add(endpoints(svc, members))
    return objs


def write(objs: list[dict[str, Any]], data: Path = DATA) -> None:
    if data.exists():
        shutil.rmtree(data)
    by_gk: dict[str, list[dict[str, Any]]] = {}
    for obj in objs:
        by_gk.setdefault(kinds.gk_of(obj["apiVersion"], obj["kind"]), []).append(obj)
    unknown = set(by_gk) - {info.gk for info in kinds.KINDS}
    assert not unknown, unknown
    files: dict[str, Any] = {}
    captured: list[str] = []
    for info in kinds.KINDS:
        if info.gk in NOT_INSTALLED:
            continue
        items = sorted(
            by_gk.get(info.gk, []), key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])
        )
        rel = f"{info.group or 'core'}/{info.plural}.json"
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        captured.append(info.gk)
        files[info.gk] = {"file": rel, "apiVersion": info.api_version, "count": len(items)}
    manifest = {
        "schema": "homelabctl.snapshot/v1",
        "capturedAt": format_time(NOW),
        "serverVersion": "v1.32.5+k3s1",
        "homelabctlVersion": "0.1.0",
        "source": {"context": "fletcherlabs", "server": "https://192.168.10.10:6443"},
        "kinds": {
            "captured": sorted(captured),
            "forbidden": {},
            "notInstalled": {
                gk: f"{kinds.BY_GK[gk].resource_name} not installed (no CRD)" for gk in sorted(NOT_INSTALLED)
            },
            "failed": {},
        },
        "files": dict(sorted(files.items())),
    }
    (data / "homelabctl-manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(build())
    print(f"wrote {DATA}")
