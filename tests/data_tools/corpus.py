"""Write the generalisation corpus of ``tests/scenarios/<name>/``: incidents built from public issue reports
and postmortems (each scenario cites its sources), in the same 4-node K3s homelab the seed scenarios use.

Every ``expected.yaml`` was written before the diagnosis was run on its snapshot; the root cause follows
the convention of the diagnosis contract (the most upstream failing object, as the object the operator
has to change; ``ExternalHost`` for a host outside the cluster that fails on its side). Scenarios marked
``holdout`` were written last and are never tuned on.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]``. Deterministic.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import yaml

sys.path.insert(0, str(Path(__file__).parent))

import components as c
import platform_parts as p
from homelab import CLUSTER_BORN, DOMAIN, FLUX_NS, Lab
from k8sgen import b64, plus

import scenarios as s

NOW = s.NOW
OUT = s.OUT
HEADER = "# Scenario snapshot written by tests/data_tools/corpus.py: edit the generator, not this file.\n"
EV = "events.yaml"
K3S_PODS = "/var/lib/rancher/k3s/agent/kubelet/pods"
Expected = dict[str, Any]
ref, obj_ref, sym, pods_of = s.ref, s.obj_ref, s.sym, s.pods_of


# ------------------------------------------------------------------------------------------ helpers
def lab(name: str, *, dns_plan: dict[str, Any] | None = None, traefik: bool = False, **kw: Any) -> Lab:
    """The seed scenarios' cluster plus kube-system as K3s installs it (CoreDNS with its kube-dns Service at
    10.43.0.10, local-path-provisioner, metrics-server)."""
    g = s.base(name, **kw)
    kube_system(g, dns_plan=dns_plan, traefik=traefik)
    return g


def kube_system(
    g: Lab,
    *,
    dns_plan: dict[str, Any] | None = None,
    traefik: bool = False,
    node: str = "k3s-master1",
    nodes: list[str] | None = None,
) -> dict[str, Any]:
    created = plus(CLUSTER_BORN, seconds=30)
    f = "kube-system.yaml"
    plan = {"node": node, "created": plus(created, days=20, hours=3), **(dns_plan or {})}
    dns = g.deployment(
        f,
        "kube-system",
        "coredns",
        created=created,
        selector={"k8s-app": "kube-dns"},
        labels={
            "k8s-app": "kube-dns",
            "kubernetes.io/name": "CoreDNS",
            "objectset.rio.cattle.io/hash": "bce283298811743a0386ab510f2f67ef74240c57",
        },
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
                    "livenessProbe": {
                        "httpGet": {"path": "/health", "port": 8080},
                        "initialDelaySeconds": 60,
                        "timeoutSeconds": 1,
                    },
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
                    "resources": {
                        "limits": {"memory": "170Mi"},
                        "requests": {"cpu": "100m", "memory": "70Mi"},
                    },
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                    # K3s (coredns.yaml since v1.21): the optional coredns-custom ConfigMap, whose *.server and
                    # *.override keys the Corefile imports, is mounted at /etc/coredns/custom
                    "volumeMounts": [
                        {"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": True},
                        {
                            "mountPath": "/etc/coredns/custom",
                            "name": "custom-config-volume",
                            "readOnly": True,
                        },
                    ],
                }
            ],
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "coredns",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {
                    "effect": "NoSchedule",
                    "key": "node-role.kubernetes.io/control-plane",
                    "operator": "Exists",
                },
            ],
            "volumes": [
                {
                    "configMap": {
                        "defaultMode": 420,
                        "items": [
                            {"key": "Corefile", "path": "Corefile"},
                            {"key": "NodeHosts", "path": "NodeHosts"},
                        ],
                        "name": "coredns",
                    },
                    "name": "config-volume",
                },
                {
                    "configMap": {"defaultMode": 420, "name": "coredns-custom", "optional": True},
                    "name": "custom-config-volume",
                },
            ],
        },
        pods=[plan],
        rs_created=plus(created, days=20, hours=3),
        sa="coredns",
        progress_since=plan.get("crash_since"),
    )
    g.configmap(
        f,
        "kube-system",
        "coredns",
        {
            "Corefile": ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
            "      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    hosts /etc/coredns/NodeHosts {\n"
            "      ttl 60\n      reload 15s\n      fallthrough\n    }\n    prometheus :9153\n"
            "    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n"
            "    import /etc/coredns/custom/*.override\n}\nimport /etc/coredns/custom/*.server\n",
            "NodeHosts": "192.168.10.30 k3s-master1\n192.168.10.31 k3s1\n192.168.10.32 k3s2\n192.168.10.33 k3s3\n",
        },
        created=created,
    )
    svc = g.service(
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
        annotations={"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        ports=[
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "targetPort": 53},
            {"name": "metrics", "port": 9153, "targetPort": 9153},
        ],
    )
    svc["spec"]["clusterIP"] = "10.43.0.10"
    svc["spec"]["clusterIPs"] = ["10.43.0.10"]
    for name, sel, image, args in (
        (
            "local-path-provisioner",
            {"app": "local-path-provisioner"},
            "rancher/local-path-provisioner:v0.0.31",
            ["local-path-provisioner", "start", "--config", "/etc/config/config.json"],
        ),
        (
            "metrics-server",
            {"k8s-app": "metrics-server"},
            "rancher/mirrored-metrics-server:v0.7.2",
            [
                "--cert-dir=/tmp",
                "--secure-port=10250",
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                "--kubelet-use-node-status-port",
                "--metric-resolution=15s",
            ],
        ),
    ):
        ctr: dict[str, Any] = {"name": name, "image": image}
        ctr["command" if name == "local-path-provisioner" else "args"] = args
        g.deployment(
            f,
            "kube-system",
            name,
            created=created,
            selector=sel,
            spec={
                "containers": [ctr],
                "priorityClassName": "system-node-critical",
                "serviceAccountName": name,
            },
            pods=[{"node": node, "created": plus(created, days=20, hours=3)}],
            rs_created=plus(created, days=20, hours=3),
            sa=name,
        )
    if traefik:
        k3s_traefik(g, nodes or [node])
    return cast("dict[str, Any]", dns)


def k3s_traefik(g: Lab, nodes: list[str]) -> None:
    """Traefik as K3s packages it: HelmChart jobs (Completed), the Deployment, its LoadBalancer Service and the
    klipper-lb ``svclb-traefik`` DaemonSet that ServiceLB runs on every node."""
    f = "kube-system.yaml"
    created = plus(CLUSTER_BORN, seconds=40)
    for job in ("helm-install-traefik-crd", "helm-install-traefik"):
        g.add(
            f,
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": g.meta(
                    job,
                    "kube-system",
                    created=created,
                    labels={"helmcharts.helm.cattle.io/chart": job[13:]},
                    annotations={"helmcharts.helm.cattle.io/configHash": "SHA256=" + g.hexs(64).upper()},
                ),
                "spec": job_spec(
                    {
                        "spec": {
                            "containers": [
                                {
                                    "name": "helm",
                                    "image": "rancher/klipper-helm:v0.9.4-build20250113",
                                    "args": ["install"],
                                }
                            ],
                            "restartPolicy": "OnFailure",
                            "serviceAccountName": f"helm-{job[13:]}",
                        }
                    },
                    1000,
                ),
                "status": job_complete(plus(created, seconds=1), plus(created, seconds=31)),
            },
        )
        job_obj = g.files[f][-1]
        g.pod(
            f,
            name=f"{job}-{g.sfx(5)}",
            ns="kube-system",
            node=nodes[0],
            labels={
                "batch.kubernetes.io/controller-uid": job_obj["metadata"]["uid"],
                "batch.kubernetes.io/job-name": job,
                "helmcharts.helm.cattle.io/chart": job[13:],
                "job-name": job,
            },
            spec={
                "containers": [
                    {
                        "name": "helm",
                        "image": "rancher/klipper-helm:v0.9.4-build20250113",
                        "args": ["install"],
                    }
                ],
                "restartPolicy": "OnFailure",
                "serviceAccountName": f"helm-{job[13:]}",
            },
            owner=job_obj,
            created=plus(created, seconds=1),
            sa=f"helm-{job[13:]}",
            plan={"mode": "succeeded", "finished": plus(created, seconds=30)},
        )
    sel = {"app.kubernetes.io/instance": "traefik-kube-system", "app.kubernetes.io/name": "traefik"}
    g.deployment(
        f,
        "kube-system",
        "traefik",
        created=plus(created, seconds=32),
        selector=sel,
        helm=("traefik", "kube-system"),
        spec={
            "containers": [
                {
                    "name": "traefik",
                    "image": "rancher/mirrored-library-traefik:3.3.6",
                    "args": [
                        "--entryPoints.web.address=:8000/tcp",
                        "--entryPoints.websecure.address=:8443/tcp",
                        "--providers.kubernetesingress",
                        "--ping=true",
                    ],
                    "ports": [
                        {"containerPort": 8000, "name": "web"},
                        {"containerPort": 8443, "name": "websecure"},
                        {"containerPort": 8080, "name": "traefik"},
                    ],
                    "readinessProbe": {"httpGet": {"path": "/ping", "port": 8080}},
                }
            ],
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "traefik",
        },
        pods=[{"node": nodes[0], "created": plus(created, seconds=35)}],
        sa="traefik",
    )
    lb_ip = g.node_ip[nodes[0]]
    svc = g.service(
        f,
        "kube-system",
        "traefik",
        selector=sel,
        created=plus(created, seconds=32),
        type_="LoadBalancer",
        helm=("traefik", "kube-system"),
        labels=sel,
        ports=[
            {"name": "web", "port": 80, "targetPort": "web"},
            {"name": "websecure", "port": 443, "targetPort": "websecure"},
        ],
    )
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": g.node_ip[n], "ipMode": "VIP"} for n in nodes]}}
    del lb_ip
    svclb_sel = {"app": "svclb-traefik-" + svc["metadata"]["uid"][:8]}
    g.daemonset(
        f,
        "kube-system",
        "svclb-traefik-" + svc["metadata"]["uid"][:8],
        created=plus(created, seconds=33),
        nodes=nodes,
        selector=svclb_sel,
        labels={
            **svclb_sel,
            "svccontroller.k3s.cattle.io/svcname": "traefik",
            "svccontroller.k3s.cattle.io/svcnamespace": "kube-system",
        },
        tpl_labels={
            **svclb_sel,
            "svccontroller.k3s.cattle.io/svcname": "traefik",
            "svccontroller.k3s.cattle.io/svcnamespace": "kube-system",
        },
        spec={
            "containers": [
                {
                    "name": f"lb-tcp-{port}",
                    "image": "rancher/klipper-lb:v0.4.13",
                    "env": [
                        {"name": "SRC_PORT", "value": str(port)},
                        {"name": "DEST_PROTO", "value": "TCP"},
                        {"name": "DEST_PORT", "value": str(port)},
                        {"name": "DEST_IPS", "value": svc["spec"]["clusterIP"]},
                    ],
                    "ports": [{"containerPort": port, "hostPort": port, "name": f"lb-tcp-{port}"}],
                    "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}},
                }
                for port in (80, 443)
            ],
            "serviceAccountName": "svclb",
        },
    )


def ev(
    g: Lab,
    obj: dict[str, Any],
    reason: str,
    message: str,
    *,
    first: str,
    last: str | None = None,
    count: int = 1,
    component: str = "kubelet",
    host: str | None = None,
    type_: str = "Warning",
    container: str | None = None,
) -> None:
    if host is None and obj["kind"] == "Pod":
        host = obj["spec"].get("nodeName")
    g.event(
        EV,
        obj,
        reason=reason,
        message=message,
        first=first,
        last=last or first,
        count=count,
        component=component,
        host=host,
        type_=type_,
        field_path=f"spec.containers{{{container}}}" if container else None,
    )


def unready(pod: dict[str, Any], names: list[str], since: str, *, init: bool = False) -> None:
    for cond in pod["status"]["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond.update(
                {
                    "lastTransitionTime": since,
                    "message": f"containers with unready status: [{' '.join(names)}]",
                    "reason": "ContainersNotReady",
                    "status": "False",
                }
            )
        if init and cond["type"] == "Initialized":
            cond.update(
                {
                    "lastTransitionTime": since,
                    "status": "False",
                    "reason": "ContainersNotInitialized",
                    "message": f"containers with incomplete status: [{' '.join(names)}]",
                }
            )


def waiting(g: Lab, pod: dict[str, Any], reason: str, message: str | None = None, *, since: str) -> None:
    """The kubelet's view of a pod whose sandbox exists but whose container cannot start (image pull, config)."""
    st = pod["status"]
    names: list[str] = []
    for cs in st["containerStatuses"]:
        w: dict[str, Any] = {"reason": reason}
        if message:
            w = {"message": message, "reason": reason}
        cs.clear()
        names.append(pod["spec"]["containers"][len(names)]["name"])
        cs.update(
            {
                "image": s_image(pod, len(names) - 1),
                "imageID": "",
                "lastState": {},
                "name": names[-1],
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": {"waiting": w},
            }
        )
    for cond in st["conditions"]:
        if cond["type"] == "PodReadyToStartContainers":
            cond.update(
                {
                    "lastTransitionTime": plus(pod["metadata"]["creationTimestamp"], seconds=2),
                    "status": "True",
                }
            )
    unready(pod, names, since)
    st["phase"] = "Pending"
    if "podIP" not in st and pod["spec"].get("nodeName"):
        ip = g.pod_ip(pod["spec"]["nodeName"])
        st["podIP"] = ip
        st["podIPs"] = [{"ip": ip}]


def config_error(
    g: Lab, pod: dict[str, Any], message: str, *, since: str, first: str, last: str, count: int
) -> None:
    """A pod whose container the kubelet will not create (``message``, e.g. a Secret it reads is missing): waiting
    in CreateContainerConfigError since ``since``, and the kubelet's Failed event repeated from ``first``."""
    waiting(g, pod, "CreateContainerConfigError", message, since=since)
    container = pod["spec"]["containers"][0]["name"]
    ev(g, pod, "Failed", f"Error: {message}", first=first, last=last, count=count, container=container)


def s_image(pod: dict[str, Any], i: int) -> str:
    from k8sgen import full_image

    return cast("str", full_image(pod["spec"]["containers"][i]["image"]))


def restarted(
    g: Lab, pod: dict[str, Any], message: str, restarts: int, finished: str, *, exit_code: int = 1
) -> None:
    """A running container that has died and been restarted: ``restartCount`` and ``lastState.terminated``."""
    cs = pod["status"]["containerStatuses"][0]
    cs["lastState"] = {
        "terminated": {
            "containerID": f"containerd://{g.hexs(64)}",
            "exitCode": exit_code,
            "finishedAt": finished,
            "message": message,
            "reason": "Error",
            "startedAt": plus(finished, minutes=-9, seconds=-14),
        }
    }
    cs["restartCount"] = restarts
    cs["state"] = {"running": {"startedAt": plus(finished, seconds=11)}}


def node_event(
    g: Lab, node: str, reason: str, message: str, *, first: str, last: str, count: int, type_: str = "Warning"
) -> None:
    """An event the kubelet of ``node`` reports about its Node."""
    g.event(
        EV,
        g.nodes[node],
        reason=reason,
        message=message,
        type_=type_,
        first=first,
        last=last,
        count=count,
        component="kubelet",
        host=node,
    )


def evicted(pod: dict[str, Any], message: str, at: str) -> None:
    st = pod["status"]
    for cs in st["containerStatuses"]:
        cs["state"] = {
            "terminated": {
                "exitCode": 137,
                "finishedAt": None,
                "message": "The container could not be located when the pod was terminated",
                "reason": "ContainerStatusUnknown",
                "startedAt": None,
            }
        }
    st["conditions"].insert(
        0,
        {
            "lastProbeTime": None,
            "lastTransitionTime": at,
            "message": message,
            "reason": "TerminationByKubelet",
            "status": "True",
            "type": "DisruptionTarget",
        },
    )
    st["message"] = message
    st["reason"] = "Evicted"
    st["phase"] = "Failed"


def pressure(g: Lab, node: str, kind: str, since: str) -> dict[str, Any]:
    """The kubelet sets <kind>Pressure=True; the node lifecycle controller adds the matching NoSchedule taint."""
    n = g.nodes[node]
    reason, msg = {
        "Disk": ("KubeletHasDiskPressure", "kubelet has disk pressure"),
        "Memory": ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
        "PID": ("KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
    }[kind]
    for cond in n["status"]["conditions"]:
        if cond["type"] == f"{kind}Pressure":
            cond.update({"lastTransitionTime": since, "message": msg, "reason": reason, "status": "True"})
    n["spec"].setdefault("taints", []).append(
        {
            "effect": "NoSchedule",
            "key": f"node.kubernetes.io/{kind.lower()}-pressure",
            "timeAdded": plus(since, seconds=1),
        }
    )
    g.event(
        EV,
        n,
        reason=f"NodeHas{kind}Pressure" if kind != "Memory" else "NodeHasInsufficientMemory",
        message=f"Node {node} status is now: {'NodeHasInsufficientMemory' if kind == 'Memory' else f'NodeHas{kind}Pressure'}",
        type_="Normal",
        first=since,
        last=since,
        component="kubelet",
        host=node,
    )
    return cast("dict[str, Any]", n)


def ready_false(
    obj: dict[str, Any], reason: str, message: str, at: str, extra: list[dict[str, Any]] | None = None
) -> None:
    conds = [Lab.cond("Ready", "False", reason, message, at)] + (extra or [])
    obj["status"]["conditions"] = conds


def cause(obj: dict[str, Any], layer: str, *symptoms: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": obj if "metadata" not in obj else obj_ref(obj),
        "layer": layer,
        "symptoms": [x for group in symptoms for x in group],
    }


def host(name: str) -> dict[str, Any]:
    return cast("dict[str, Any]", ref("ExternalHost", None, name))


def expected(
    description: str,
    source: str | list[str],
    causes: list[dict[str, Any]],
    *,
    holdout: bool = False,
    unrelated: list[dict[str, Any]] | None = None,
) -> Expected:
    out: Expected = {"description": description, "source": source, "holdout": holdout, "root_causes": causes}
    if unrelated:
        out["unrelated"] = unrelated
    return out


def app(
    g: Lab,
    name: str,
    image: str,
    port: int,
    *,
    ns: str = "media",
    node: str = "k3s2",
    days: int = 3,
    **kw: Any,
) -> dict[str, Any]:
    return cast(
        "dict[str, Any]",
        g.app(ns, name, image, port, node=node, created=plus(CLUSTER_BORN, days=days), ks=f"apps-{ns}", **kw),
    )


def unschedulable(created: str, message: str, *, since: str | None = None) -> dict[str, Any]:
    """The plan of a pod the scheduler cannot place (``message``: its FailedScheduling text) since ``since``
    (its creation unless given)."""
    return {
        "node": None,
        "mode": "unschedulable",
        "created": created,
        "unsched_since": since or created,
        "unsched_msg": message,
    }


def the_pod(g: Lab, ns: str, prefix: str, node: str | None = None) -> dict[str, Any]:
    found = pods_of(g, ns, prefix, node)
    assert len(found) == 1, (ns, prefix, [x["metadata"]["name"] for x in found])
    return cast("dict[str, Any]", found[0])


def dep_ref(ns: str, name: str) -> dict[str, Any]:
    return cast("dict[str, Any]", ref("Deployment", ns, name))


def route_down(ns: str, *names: str) -> list[dict[str, Any]]:
    """The HTTPRoutes whose backend Service has no ready endpoint left."""
    return [x for n in names for x in sym(ref("HTTPRoute", ns, n), "route-backend-unavailable")]


def crash(
    g: Lab, message: str, restarts: int, *, exit_code: int = 1, reason: str = "Error", ran: int = 1
) -> dict[str, Any]:
    fin = g.ago(seconds=40 + restarts % 240)
    return {
        "restarts": restarts,
        "exit": exit_code,
        "message": message,
        "reason": reason,
        "started": plus(fin, seconds=-ran),
        "finished": fin,
    }


def backoff_event(g: Lab, pod: dict[str, Any], container: str, count: int, first: str) -> None:
    ev(
        g,
        pod,
        "BackOff",
        f"Back-off restarting failed container {container} in pod "
        f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
        first=first,
        last=g.ago(seconds=31),
        count=count,
        container=container,
    )


def flux_base(g: Lab, repos: dict[str, str] | None = None) -> None:
    p.flux_controllers(g)
    p.flux_sources(g, repos)
    rev = p.GIT_REV
    g.kustomization(
        "flux-system",
        "./clusters/k3s-home",
        created=plus(CLUSTER_BORN, minutes=41),
        revision=rev,
        applied=g.ago(minutes=46),
    )
    g.kustomization(
        "infrastructure",
        "./clusters/k3s-home/infrastructure",
        created=plus(CLUSTER_BORN, minutes=42),
        revision=rev,
        applied=g.ago(minutes=45),
        sops=True,
    )


def wildcard_certificate(g: Lab, *, state: str = "ready", not_after: str) -> dict[str, Any]:
    """The Gateway's wildcard Certificate for the lab's domain (issued three weeks after the cluster was built)."""
    return cast(
        "dict[str, Any]",
        p.certificate(
            g,
            "networking",
            "wildcard-fletcherlabs",
            [f"*.{DOMAIN}", DOMAIN],
            created=plus(CLUSTER_BORN, days=21),
            secret="wildcard-fletcherlabs-tls",
            state=state,
            not_after=not_after,
        ),
    )


def route_refused(route: dict[str, Any], reason: str, message: str) -> None:
    """The Gateway controller does not accept ``route`` on its (first) parent: Accepted False."""
    for cond in route["status"]["parents"][0]["conditions"]:
        if cond["type"] == "Accepted":
            cond.update({"message": message, "reason": reason, "status": "False"})


def drop(g: Lab, pred: Callable[[dict[str, Any]], bool]) -> None:
    """Remove every object ``pred`` holds for from the lab (something the incident deleted or never created)."""
    for objs in g.files.values():
        for o in [o for o in objs if pred(o)]:
            objs.remove(o)


def find(g: Lab, kind: str, name: str, ns: str | None = None) -> dict[str, Any]:
    for o in g.all_objects():
        if (
            o["kind"] == kind
            and o["metadata"]["name"] == name
            and (ns is None or o["metadata"].get("namespace") == ns)
        ):
            return cast("dict[str, Any]", o)
    raise KeyError((kind, ns, name))


# ------------------------------------------------------------------------------------------ tuned set
def coredns_loop_crash() -> tuple[Lab, Expected]:
    loop = (
        "[WARNING] No files matching import glob pattern: /etc/coredns/custom/*.server\n.:53\n"
        "[INFO] plugin/reload: Running configuration SHA512 = b941b080e5322f6519009bb49349462c7ddb6317425b0f6a83e5451175b720703949e3f3b454a24e77f3ffe57fd5e9c6130e528a5a1dd00d9000e4afd6c1108d\n"
        "CoreDNS-1.12.1\nlinux/amd64, go1.23.8, 707c7c1\n"
        '[FATAL] plugin/loop: Loop (127.0.0.1:60941 -> :53) detected for zone ".", see '
        'https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4060075194211761355.8439570687074282628."'
    )
    since = "2025-06-15T22:41:07Z"
    g0 = Lab("probe", NOW)
    g = lab(
        "coredns-loop-crash",
        dns_plan={"mode": "crash", "crash_since": since, "crash": {"coredns": crash(g0, loop, 57, ran=3)}},
    )
    flux_base(g, {"longhorn": "https://charts.longhorn.io"})
    src = the_pod(g, FLUX_NS, "source-controller-")
    ip = src["status"]["podIP"]
    git = find(g, "GitRepository", "flux-system")
    dns_err = f"read udp {ip}:43521->10.43.0.10:53: read: connection refused"
    ready_false(
        git,
        "GitOperationFailed",
        "failed to checkout and determine revision: unable to clone "
        f"'{p.REPO_URL}': dial tcp: lookup github.com on 10.43.0.10:53: {dns_err}",
        g.ago(minutes=9),
        [
            Lab.cond(
                "FetchFailed",
                "True",
                "GitOperationFailed",
                "failed to checkout and determine revision: unable to "
                f"clone '{p.REPO_URL}': dial tcp: lookup github.com on 10.43.0.10:53: {dns_err}",
                g.ago(minutes=9),
            )
        ],
    )
    hr = find(g, "HelmRepository", "longhorn")
    ready_false(
        hr,
        "Failed",
        "failed to fetch Helm repository index: failed to cache index to temporary file: Get "
        '"https://charts.longhorn.io/index.yaml": dial tcp: lookup charts.longhorn.io on 10.43.0.10:53: '
        f"read udp {ip}:51230->10.43.0.10:53: read: connection refused",
        g.ago(minutes=14),
    )
    dns = the_pod(g, "kube-system", "coredns-")
    backoff_event(g, dns, "coredns", 251, since)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "CoreDNS crash-loops on its loop plugin (the node's resolv.conf points back at itself), so the kube-dns "
        "Service has no ready endpoint and every name lookup in the cluster fails: Flux can no longer resolve "
        "github.com or the Helm repository host. The cause is the DNS Deployment, not the Flux sources.",
        [
            "https://github.com/k3s-io/k3s/issues/9066",
            "https://github.com/onedr0p/cluster-template/issues/649",
        ],
        [
            cause(
                dep_ref("kube-system", "coredns"),
                "network",
                sym(dep_ref("kube-system", "coredns"), "cluster-dns-unhealthy"),
                sym(dns, "pod-crashloop"),
                sym(ref("GitRepository", FLUX_NS, "flux-system"), "flux-source-failed"),
                sym(ref("HelmRepository", FLUX_NS, "longhorn"), "flux-source-failed"),
            )
        ],
    )


def disk_pressure_evictions() -> tuple[Lab, Expected]:
    since = g_ago(hours=3, minutes=12)
    g = lab("disk-pressure-evictions")
    evict_at = plus(since, seconds=36)
    s.media_app(
        g,
        "radarr",
        "k3s2",
        7878,
        pods=[
            {"node": "k3s2", "mode": "failed", "finished": evict_at, "created": "2025-06-11T09:12:40Z"},
            {"node": "k3s3", "created": plus(evict_at, seconds=1)},
        ],
        replicas=1,
    )
    old = the_pod(g, "media", "radarr-", "k3s2")
    msg = (
        "The node was low on resource: ephemeral-storage. Threshold quantity: 1234234186, available: 1170860Ki. "
        "Container radarr was using 9318452Ki, which exceeds its request of 0. "
    )
    evicted(old, msg, evict_at)
    ev(g, old, "Evicted", msg, first=evict_at)
    # sabnzbd keeps its incomplete downloads on a local-path volume, so it can only run on k3s2
    sab = s.media_app(
        g,
        "sabnzbd",
        "k3s2",
        8080,
        sc="local-path",
        pods=[
            {
                "node": "k3s2",
                "mode": "failed",
                "finished": plus(evict_at, seconds=9),
                "created": "2025-06-10T17:02:11Z",
            },
            {
                "node": None,
                "mode": "unschedulable",
                "created": plus(evict_at, seconds=10),
                "unsched_since": plus(evict_at, seconds=10),
                "unsched_msg": "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, "
                "3 node(s) had volume node affinity conflict. preemption: 0/4 nodes are available: 4 Preemption is "
                "not helpful for scheduling.",
            },
        ],
        replicas=1,
    )
    del sab
    sab_old = the_pod(g, "media", "sabnzbd-", "k3s2")
    msg2 = (
        "The node was low on resource: ephemeral-storage. Threshold quantity: 1234234186, available: 1102312Ki. "
        "Container sabnzbd was using 412Ki, which exceeds its request of 0. "
    )
    evicted(sab_old, msg2, plus(evict_at, seconds=9))
    ev(g, sab_old, "Evicted", msg2, first=plus(evict_at, seconds=9))
    pend = next(x for x in pods_of(g, "media", "sabnzbd-") if not x["spec"].get("nodeName"))
    g.series_event(
        EV,
        pend,
        reason="FailedScheduling",
        message=pend["status"]["conditions"][0]["message"],
        first=plus(evict_at, seconds=10),
        last=g.ago(minutes=4),
        count=41,
    )
    n = pressure(g, "k3s2", "Disk", since)
    g.event(
        EV,
        n,
        reason="EvictionThresholdMet",
        message="Attempting to reclaim ephemeral-storage",
        first=plus(since, seconds=5),
        last=g.ago(minutes=2),
        count=38,
        component="kubelet",
        host="k3s2",
    )
    return g, expected(
        "k3s2's root filesystem (container logs and images) crossed the kubelet's eviction threshold: DiskPressure, "
        "the disk-pressure NoSchedule taint, and evicted pods. Radarr was rescheduled elsewhere; SABnzbd's local-path "
        "volume pins it to k3s2, so it stays Pending on the taint. The node is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/91600",
            "https://github.com/operate-first/apps/issues/1352",
        ],
        [
            cause(
                ref("Node", None, "k3s2"),
                "node",
                sym(ref("Node", None, "k3s2"), "node-pressure"),
                sym(pend, "pod-pending"),
                sym(dep_ref("media", "sabnzbd"), "workload-replicas-unavailable"),
                route_down("media", "sabnzbd"),
            )
        ],
    )


def g_ago(**kw: float) -> str:
    return cast("str", Lab("clock", NOW).ago(**kw))


def memory_pressure_evictions() -> tuple[Lab, Expected]:
    since = g_ago(minutes=52)
    g = lab("memory-pressure-evictions")
    evict_at = plus(since, seconds=12)
    pin = {"kubernetes.io/hostname": "k3s1"}
    app(
        g,
        "jellyfin",
        "docker.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s1",
        node_selector=pin,
        route=False,
        resources={"limits": {"memory": "8Gi"}, "requests": {"cpu": "500m", "memory": "2Gi"}},
        replicas=1,
        pods=[
            {"node": "k3s1", "mode": "failed", "finished": evict_at, "created": "2025-06-09T11:02:41Z"},
            {
                "node": None,
                "mode": "unschedulable",
                "created": plus(evict_at, seconds=1),
                "unsched_since": plus(evict_at, seconds=1),
                "unsched_msg": "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, "
                "3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: "
                "4 Preemption is not helpful for scheduling.",
            },
        ],
    )
    old = the_pod(g, "media", "jellyfin-", "k3s1")
    msg = (
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 87124Ki. Container jellyfin was "
        "using 7328412Ki, which exceeds its request of 2Gi. "
    )
    evicted(old, msg, evict_at)
    ev(g, old, "Evicted", msg, first=evict_at)
    pend = next(x for x in pods_of(g, "media", "jellyfin-") if not x["spec"].get("nodeName"))
    g.series_event(
        EV,
        pend,
        reason="FailedScheduling",
        message=pend["status"]["conditions"][0]["message"],
        first=plus(evict_at, seconds=1),
        last=g.ago(minutes=1),
        count=17,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    n = pressure(g, "k3s1", "Memory", since)
    g.event(
        EV,
        n,
        reason="EvictionThresholdMet",
        message="Attempting to reclaim memory",
        first=plus(since, seconds=2),
        last=g.ago(minutes=3),
        count=9,
        component="kubelet",
        host="k3s1",
    )
    return g, expected(
        "k3s1 ran out of memory (a transcode pushed Jellyfin far above its request): MemoryPressure, the "
        "memory-pressure taint, Jellyfin evicted; pinned to k3s1 by its node selector, the replacement cannot be "
        "scheduled. The node's memory is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/112927",
            "https://github.com/k3s-io/k3s/issues/838",
        ],
        [
            cause(
                ref("Node", None, "k3s1"),
                "node",
                sym(ref("Node", None, "k3s1"), "node-pressure"),
                sym(pend, "pod-pending"),
                sym(dep_ref("media", "jellyfin"), "workload-replicas-unavailable"),
            )
        ],
    )


def node_down_multiattach() -> tuple[Lab, Expected]:
    since = g_ago(hours=1, minutes=40)
    evict = plus(since, seconds=41 + 300)
    g = lab(
        "node-down-multiattach",
        down={"k3s2": {"since": since}},
        agent={"k3s2": s.frozen("k3s2", since)},
        lh_mgr={"k3s2": s.frozen("k3s2", since)},
        lh_csi={"k3s2": s.frozen("k3s2", since)},
    )
    # a Deployment with an RWO Longhorn volume: the replacement pod cannot attach while k3s2 holds it
    s.media_app(
        g,
        "prowlarr",
        "k3s2",
        9696,
        pods=[
            s.frozen("k3s2", since, deletion=plus(evict, seconds=30), created="2025-06-12T08:02:11Z"),
            {"node": "k3s3", "mode": "creating", "created": plus(evict, seconds=1)},
        ],
        replicas=1,
    )
    stuck = the_pod(g, "media", "prowlarr-", "k3s2")
    new = the_pod(g, "media", "prowlarr-", "k3s3")
    pvc = find(g, "PersistentVolumeClaim", "prowlarr-config")
    ev(
        g,
        new,
        "FailedAttachVolume",
        f'Multi-Attach error for volume "{pvc["spec"]["volumeName"]}" Volume is already '
        "exclusively attached to one node and can't be attached to another",
        first=plus(evict, seconds=2),
        last=g.ago(minutes=1),
        count=44,
        component="attachdetach-controller",
        host="",
    )
    ev(
        g,
        new,
        "FailedMount",
        "Unable to attach or mount volumes: unmounted volumes=[config], unattached volumes=[config], "
        "failed to process volumes=[]: timed out waiting for the condition",
        first=plus(evict, seconds=125),
        last=g.ago(minutes=2),
        count=41,
    )
    # a StatefulSet: its pod stays Terminating on the dead node, so no replacement is created
    g.statefulset(
        "apps-media.yaml",
        "media",
        "immich-postgres",
        created=plus(CLUSTER_BORN, days=5),
        selector={"app.kubernetes.io/name": "immich-postgres"},
        ks="apps-media",
        service_name="immich-postgres",
        pods=[s.frozen("k3s2", since, deletion=plus(evict, seconds=30), created="2025-06-12T08:03:15Z")],
        spec={
            "containers": [
                {
                    "name": "postgres",
                    "image": "ghcr.io/tensorchord/pgvecto-rs:pg16-v0.3.0",
                    "ports": [{"containerPort": 5432, "name": "postgres"}],
                }
            ]
        },
    )
    pg = the_pod(g, "media", "immich-postgres-")
    g.service(
        "apps-media.yaml",
        "media",
        "immich-postgres",
        selector={"app.kubernetes.io/name": "immich-postgres"},
        created=plus(CLUSTER_BORN, days=5),
        headless=True,
        ks="apps-media",
        ports=[{"name": "postgres", "port": 5432, "targetPort": 5432}],
    )
    for pod in (stuck, pg):
        pod["status"]["conditions"].insert(
            0,
            {
                "lastProbeTime": None,
                "lastTransitionTime": evict,
                "message": "Taint manager: deleting due to NoExecute taint",
                "reason": "DeletionByTaintManager",
                "status": "True",
                "type": "DisruptionTarget",
            },
        )
    g.event(
        EV,
        g.nodes["k3s2"],
        reason="NodeNotReady",
        message="Node k3s2 status is now: NodeNotReady",
        type_="Normal",
        first=plus(since, seconds=41),
        last=plus(since, seconds=41),
        component="node-controller",
    )
    return g, expected(
        "k3s2 stopped answering (kubelet silent, node Unknown). Its pods were evicted after 300 s but stay "
        "Terminating; the StatefulSet waits for its pod to go, and the Deployment's new pod on k3s3 cannot attach "
        "its RWO Longhorn volume (Multi-Attach) while the dead node still holds it. Everything follows from the node.",
        [
            "https://github.com/longhorn/longhorn/issues/5345",
            "https://github.com/openebs/openebs/issues/2536",
            "https://github.com/kubernetes/kubernetes/issues/124054",
        ],
        [
            cause(
                ref("Node", None, "k3s2"),
                "node",
                sym(ref("Node", None, "k3s2"), "node-not-ready"),
                sym(stuck, "pod-stuck-terminating"),
                sym(pg, "pod-stuck-terminating"),
                sym(new, "failed-mount-events"),
                sym(ref("StatefulSet", "media", "immich-postgres"), "workload-replicas-unavailable"),
                sym(dep_ref("media", "prowlarr"), "workload-replicas-unavailable"),
                route_down("media", "prowlarr"),
            )
        ],
    )


def longhorn_volume_faulted() -> tuple[Lab, Expected]:
    g = lab("longhorn-volume-faulted")
    failed = g.ago(hours=2, minutes=31)
    dep = s.media_app(
        g,
        "overseerr",
        "k3s2",
        5055,
        pods=[{"node": "k3s2", "mode": "creating", "created": plus(failed, minutes=4)}],
    )
    pvc = dep["_pvc"]
    vol = pvc["spec"]["volumeName"]
    pod = the_pod(g, "media", "overseerr-")
    lhv = c.lh_volume(
        g,
        created=pvc["metadata"]["creationTimestamp"],
        name=vol,
        pvc=("media", "overseerr-config"),
        size="5Gi",
        robustness="faulted",
        state="detached",
        replicas=2,
        node=None,
    )
    lhv["status"]["currentNodeID"] = ""
    lhv["status"]["ownerID"] = "k3s2"
    replicas: list[tuple[Any, str]] = []
    for node, ip, dirname in (("k3s1", "10.42.1.23", "3f9a1c2b"), ("k3s3", "10.42.3.71", "8be04d17")):
        r = g.cr(
            "longhorn.yaml",
            "longhorn.io/v1beta2",
            "Replica",
            f"{vol}-r-{g.hexs(8)}",
            "longhorn-system",
            created=plus(pvc["metadata"]["creationTimestamp"], seconds=3),
            finalizers=["longhorn.io"],
            labels={"longhorndiskuuid": g.uid(), "longhornnode": node, "longhornvolume": vol},
            owner=lhv,
            spec={
                "active": True,
                "backingImage": "",
                "dataDirectoryName": f"{vol}-{dirname}",
                "dataEngine": "v1",
                "desireState": "stopped",
                "diskID": g.uid(),
                "diskPath": "/var/lib/longhorn/",
                "engineImage": "longhornio/longhorn-engine:v1.6.2",
                "engineName": f"{vol}-e-0",
                "failedAt": plus(failed, seconds=len(replicas) * 2),
                "hardNodeAffinity": "",
                "lastFailedAt": plus(failed, seconds=len(replicas) * 2),
                "lastHealthyAt": plus(failed, seconds=-40),
                "nodeID": node,
                "rebuildRetryCount": 0,
                "revisionCounterDisabled": True,
                "salvageRequested": False,
                "volumeName": vol,
                "volumeSize": lhv["spec"]["size"],
            },
            status={
                "currentImage": "longhornio/longhorn-engine:v1.6.2",
                "currentState": "stopped",
                "instanceManagerName": f"instance-manager-{g.hexs(32)}",
                "ip": "",
                "ownerID": node,
                "port": 0,
                "started": False,
                "storageIP": "",
            },
        )
        replicas.append((r, ip))
    eng = g.cr(
        "longhorn.yaml",
        "longhorn.io/v1beta2",
        "Engine",
        f"{vol}-e-0",
        "longhorn-system",
        created=plus(pvc["metadata"]["creationTimestamp"], seconds=2),
        finalizers=["longhorn.io"],
        labels={"longhornnode": "", "longhornvolume": vol},
        owner=lhv,
        spec={
            "active": True,
            "desireState": "stopped",
            "engineImage": "longhornio/longhorn-engine:v1.6.2",
            "nodeID": "",
            "replicaAddressMap": {},
            "volumeName": vol,
            "volumeSize": lhv["spec"]["size"],
        },
        status={"currentState": "stopped", "ownerID": "k3s2", "started": False},
    )
    for r, ip in replicas:
        ev(
            g,
            eng,
            "Faulted",
            f"Detected replica {r['metadata']['name']} ({ip}:10000) in error",
            first=failed,
            component="longhorn-engine-controller",
            host="k3s2",
        )
    ev(
        g,
        lhv,
        "DetachedUnexpectedly",
        f"Engine of volume {vol} dead unexpectedly, setting replicas to error",
        first=plus(failed, seconds=3),
        component="longhorn-volume-controller",
        host="k3s2",
    )
    ev(
        g,
        pod,
        "FailedAttachVolume",
        f'AttachVolume.Attach failed for volume "{vol}" : rpc error: code = Aborted desc = '
        f"volume {vol} is not ready for workloads",
        first=plus(failed, minutes=5),
        last=g.ago(minutes=3),
        count=68,
        component="attachdetach-controller",
        host="",
    )
    return g, expected(
        "Both replicas of Overseerr's Longhorn volume failed within seconds (the engine marked them in error), so the "
        "volume is faulted and detached: the pod waits in ContainerCreating on an attach that cannot succeed. The "
        "faulted Longhorn Volume is the cause (salvage a replica or restore from backup).",
        [
            "https://github.com/longhorn/longhorn/issues/1074",
            "https://github.com/longhorn/longhorn/issues/9984",
        ],
        [
            cause(
                lhv,
                "storage",
                sym(lhv, "longhorn-volume-degraded"),
                sym(pod, "failed-mount-events", "pod-pending"),
                sym(dep_ref("media", "overseerr"), "workload-replicas-unavailable"),
                route_down("media", "overseerr"),
            )
        ],
    )


def nfs_server_unreachable() -> tuple[Lab, Expected]:
    g = lab("nfs-server-unreachable", nfs=True)
    since = g.ago(hours=1, minutes=5)
    pods = []
    for name, node, port in (("sonarr", "k3s1", 8989), ("radarr", "k3s2", 7878)):
        s.media_app(
            g,
            name,
            node,
            port,
            nfs_media=True,
            pods=[{"node": node, "mode": "creating", "created": plus(since, minutes=2)}],
        )
        pod = the_pod(g, "media", f"{name}-")
        uid = pod["metadata"]["uid"]
        ev(
            g,
            pod,
            "FailedMount",
            'MountVolume.SetUp failed for volume "media" : mount failed: exit status 32\nMounting '
            f"command: mount\nMounting arguments: -t nfs 192.168.10.100:/mnt/rust/media {K3S_PODS}/{uid}/volumes/"
            "kubernetes.io~nfs/media\nOutput: mount.nfs: Connection timed out",
            first=plus(since, minutes=4),
            last=g.ago(minutes=2),
            count=27,
        )
        pods.append(pod)
    dep = app(
        g,
        "immich-server",
        "ghcr.io/immich-app/immich-server:v1.135.3",
        2283,
        node="k3s3",
        pvc=("immich-library", "500Gi", "nfs"),
        pods=[{"node": "k3s3", "mode": "creating", "created": plus(since, minutes=1)}],
    )
    pvc = dep["_pvc"]
    pv = find(g, "PersistentVolume", pvc["spec"]["volumeName"])
    pv["spec"]["csi"]["volumeAttributes"] = {
        "csi.storage.k8s.io/pv/name": pv["metadata"]["name"],
        "csi.storage.k8s.io/pvc/name": "immich-library",
        "csi.storage.k8s.io/pvc/namespace": "media",
        "server": "192.168.10.100",
        "share": "/mnt/nvme_storage",
        "subdir": pv["metadata"]["name"],
    }
    pod = the_pod(g, "media", "immich-server-")
    ev(
        g,
        pod,
        "FailedMount",
        f'MountVolume.SetUp failed for volume "{pv["metadata"]["name"]}" : rpc error: code = Internal '
        "desc = mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o nfsvers=4.1 "
        f"192.168.10.100:/mnt/nvme_storage/{pv['metadata']['name']} {K3S_PODS}/{pod['metadata']['uid']}/volumes/"
        f"kubernetes.io~csi/{pv['metadata']['name']}/mount\nOutput: mount.nfs: Connection timed out",
        first=plus(since, minutes=3),
        last=g.ago(minutes=1),
        count=29,
    )
    pods.append(pod)
    return g, expected(
        "The TrueNAS box at 192.168.10.100 stopped answering NFS: every pod that mounts a share from it (two inline "
        "NFS media volumes, one nfs.csi.k8s.io PV) waits in ContainerCreating with 'mount.nfs: Connection timed out' "
        "on three different nodes. One external cause: the NFS server.",
        [
            "https://github.com/kubernetes/kubernetes/issues/36042",
            "https://github.com/rook/nfs/issues/34",
            "https://github.com/huggingface/dataset-viewer/issues/270",
        ],
        [
            cause(
                host("192.168.10.100"),
                "storage",
                [x for pod in pods for x in sym(pod, "failed-mount-events", "pod-pending")],
                [
                    x
                    for n in ("sonarr", "radarr", "immich-server")
                    for x in sym(dep_ref("media", n), "workload-replicas-unavailable")
                ],
                route_down("media", "sonarr", "radarr", "immich-server"),
            )
        ],
    )


def flux_deploy_key_removed() -> tuple[Lab, Expected]:
    g = lab("flux-deploy-key-removed")
    flux_base(g)
    apps_kustomization(g, "media", created=plus(CLUSTER_BORN, days=3), applied=g.ago(minutes=44))
    git = find(g, "GitRepository", "flux-system")
    since = g.ago(hours=6, minutes=20)
    msg = (
        f"failed to checkout and determine revision: unable to clone '{p.REPO_URL}': ssh: handshake failed: ssh: unable "
        "to authenticate, attempted methods [none publickey], no supported methods remain"
    )
    git["status"]["artifact"]["lastUpdateTime"] = plus(since, minutes=-50)
    source_fails(g, git, "GitOperationFailed", msg, since, last=g.ago(seconds=48), count=379)
    g.secret(
        "flux.yaml",
        FLUX_NS,
        "flux-system",
        {
            "identity": "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            + p.secret_text(41, 60)
            + "\n-----END OPENSSH PRIVATE KEY-----\n",
            "identity.pub": "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQ=",
            "known_hosts": "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=",
        },
        created=plus(CLUSTER_BORN, minutes=40),
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The deploy key of the flux-system GitRepository was removed from the GitHub repository (key rotation): every "
        "fetch fails with 'ssh: unable to authenticate', so nothing pushed for six hours is applied while the "
        "Kustomizations keep reporting the old revision as Ready. The GitRepository holds the credential: it is the "
        "cause, not github.com.",
        [
            "https://github.com/fluxcd/flux2/issues/826",
            "https://github.com/fluxcd/source-controller/issues/652",
        ],
        [cause(git, "platform", sym(git, "flux-source-failed"))],
    )


def helm_release_pending_upgrade() -> tuple[Lab, Expected]:
    g = lab("helm-release-pending-upgrade")
    flux_base(g, {"immich": "https://immich-app.github.io/immich-charts"})
    at = g.ago(hours=9, minutes=3)
    hr = g.helm_release(
        "immich",
        "media",
        "immich",
        "0.9.3",
        "immich",
        created=plus(CLUSTER_BORN, days=12),
        ks="apps-media",
        values={"image": {"tag": "v1.135.3"}},
        app_version="v1.135.3",
        revision=7,
        ready=(
            "False",
            "UpgradeFailed",
            "Helm upgrade failed for release media/immich with chart "
            "immich@0.9.3: another operation (install/upgrade/rollback) is in progress",
        ),
        at=at,
    )
    hr["status"]["conditions"].append(
        Lab.cond(
            "Released",
            "False",
            "UpgradeFailed",
            "Helm upgrade failed for release "
            "media/immich with chart immich@0.9.3: another operation "
            "(install/upgrade/rollback) is in progress",
            at,
        )
    )
    hr["status"]["history"] = [
        {
            "appVersion": "v1.134.0",
            "chartName": "immich",
            "chartVersion": "0.9.2",
            "configDigest": f"sha256:{g.hexs(64)}",
            "digest": f"sha256:{g.hexs(64)}",
            "firstDeployed": plus(CLUSTER_BORN, days=12),
            "lastDeployed": g.ago(days=6),
            "name": "immich",
            "namespace": "media",
            "status": "deployed",
            "version": 6,
        }
    ]
    for ver, status, when in (
        (6, "deployed", g.ago(days=6)),
        (7, "pending-upgrade", g.ago(hours=9, minutes=41)),
    ):
        g.add(
            "flux.yaml",
            {
                "apiVersion": "v1",
                "data": {"release": b64("H4sIAAAAAAAC/+y9a3PbOJYw/F" + g.hexs(40))},
                "kind": "Secret",
                "metadata": g.meta(
                    f"sh.helm.release.v1.immich.v{ver}",
                    "media",
                    created=when,
                    labels={
                        "modifiedAt": "1749987661",
                        "name": "immich",
                        "owner": "helm",
                        "status": status,
                        "version": str(ver),
                    },
                ),
                "type": "helm.sh/release.v1",
            },
        )
    ev(
        g,
        hr,
        "UpgradeFailed",
        "Helm upgrade failed for release media/immich with chart immich@0.9.3: another operation "
        "(install/upgrade/rollback) is in progress",
        first=at,
        last=g.ago(minutes=12),
        count=18,
        component="helm-controller",
        host="",
    )
    app(
        g,
        "immich-server",
        "ghcr.io/immich-app/immich-server:v1.134.0",
        2283,
        node="k3s3",
        helm=("immich", "media"),
        days=12,
    )
    return g, expected(
        "A Helm upgrade of Immich was interrupted (helm-controller restarted mid-upgrade), leaving release v7 in "
        "pending-upgrade: every later reconcile fails with 'another operation (install/upgrade/rollback) is in "
        "progress'. The old release keeps running; the locked HelmRelease is the cause.",
        ["https://github.com/fluxcd/helm-controller/issues/149", "https://github.com/helm/helm/issues/8987"],
        [cause(hr, "platform", sym(hr, "helm-release-pending", "flux-not-ready"))],
    )


def pull_failure(
    g: Lab, pod: dict[str, Any], image: str, detail: str, since: str, *, count: int = 30
) -> None:
    waiting(g, pod, "ImagePullBackOff", f'Back-off pulling image "{image}"', since=since)
    name = pod["spec"]["containers"][0]["name"]
    ev(
        g,
        pod,
        "Failed",
        f'Failed to pull image "{image}": {detail}',
        first=plus(since, seconds=2),
        last=g.ago(minutes=6),
        count=count // 3,
        container=name,
    )
    ev(
        g,
        pod,
        "Failed",
        "Error: ErrImagePull",
        first=plus(since, seconds=2),
        last=g.ago(minutes=6),
        count=count // 3,
        container=name,
    )
    ev(
        g,
        pod,
        "BackOff",
        f'Back-off pulling image "{image}"',
        first=plus(since, seconds=20),
        last=g.ago(seconds=50),
        count=count,
        type_="Normal",
        container=name,
    )
    ev(
        g,
        pod,
        "Failed",
        "Error: ImagePullBackOff",
        first=plus(since, seconds=20),
        last=g.ago(seconds=50),
        count=count,
        container=name,
    )


def rate_limit_detail(repo: str, ref_: str) -> str:
    return (
        f'failed to pull and unpack image "docker.io/{repo}:{ref_}": failed to copy: httpReadSeeker: failed open: '
        f"unexpected status code https://registry-1.docker.io/v2/{repo}/manifests/sha256:{'e3' * 32}: 429 Too Many "
        "Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit "
        "by authenticating and upgrading: https://www.docker.com/increase-rate-limit"
    )


def dockerhub_rate_limit() -> tuple[Lab, Expected]:
    g = lab("dockerhub-rate-limit")
    since = g.ago(minutes=47)
    pods = []
    for name, image, repo, tag, node, port in (
        ("jellyfin", "jellyfin/jellyfin:10.10.7", "jellyfin/jellyfin", "10.10.7", "k3s3", 8096),
        ("ollama", "ollama/ollama:0.9.0", "ollama/ollama", "0.9.0", "k3s1", 11434),
        ("homepage", "nginx:1.27.5", "library/nginx", "1.27.5", "k3s2", 80),
    ):
        ns = "ai" if name == "ollama" else "media"
        app(
            g,
            name,
            image,
            port,
            ns=ns,
            node=node,
            pods=[{"node": node, "mode": "creating", "created": plus(since, minutes=1)}],
            strategy={"type": "Recreate"},
        )
        pod = the_pod(g, ns, f"{name}-")
        pull_failure(g, pod, image, rate_limit_detail(repo, tag), plus(since, minutes=1))
        pods.append((pod, ns, name))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "After a Renovate batch rolled three Deployments at once, Docker Hub's anonymous pull limit was hit from the "
        "home IP: pulls of jellyfin, ollama and nginx fail on three different nodes with '429 Too Many Requests - "
        "toomanyrequests'. One cause outside the cluster: the docker.io registry rate limit.",
        [
            "https://github.com/kata-containers/kata-containers/issues/10109",
            "https://github.com/democratic-csi/democratic-csi/issues/90",
        ],
        [
            cause(
                host("docker.io"),
                "platform",
                [x for pod, _, _ in pods for x in sym(pod, "pod-image-pull")],
                [x for _, ns, n in pods for x in sym(dep_ref(ns, n), "workload-replicas-unavailable")],
                [x for _, ns, n in pods for x in route_down(ns, n)],
            )
        ],
    )


def storageclass_misspelled() -> tuple[Lab, Expected]:
    g = lab("storageclass-misspelled")
    created = g.ago(hours=1, minutes=10)
    pvc = g.pvc(
        "apps-media.yaml",
        "media",
        "paperless-data",
        size="20Gi",
        sc="longhron",
        created=created,
        provisioner="driver.longhorn.io",
        phase="Pending",
        ks="apps-media",
        labels={"app.kubernetes.io/instance": "paperless", "app.kubernetes.io/name": "paperless"},
    )
    for k in ("volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner"):
        pvc["metadata"]["annotations"].pop(k, None)
    if not pvc["metadata"]["annotations"]:
        del pvc["metadata"]["annotations"]
    msg = (
        "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are "
        "available: 4 Preemption is not helpful for scheduling."
    )
    app(
        g,
        "paperless",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        node="k3s2",
        strategy={"type": "Recreate"},
        extra_volumes=[
            (
                {"mountPath": "/usr/src/paperless/data", "name": "data"},
                {"name": "data", "persistentVolumeClaim": {"claimName": "paperless-data"}},
            )
        ],
        pods=[unschedulable(plus(created, seconds=2), msg)],
    )
    pod = the_pod(g, "media", "paperless-")
    g.series_event(
        EV,
        pod,
        reason="FailedScheduling",
        message=msg,
        first=plus(created, seconds=2),
        last=g.ago(minutes=5),
        count=15,
    )
    ev(
        g,
        pvc,
        "ProvisioningFailed",
        'storageclass.storage.k8s.io "longhron" not found',
        first=created,
        last=g.ago(seconds=20),
        count=282,
        component="persistentvolume-controller",
        host="",
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Paperless's PVC names StorageClass 'longhron' (typo for 'longhorn'); no such class exists, so the claim stays "
        "Pending with 'storageclass.storage.k8s.io \"longhron\" not found' and the pod cannot be scheduled. The PVC "
        "holding the bad reference is the cause.",
        ["https://github.com/ZP-AlwaysWin/K8S-FastDFS/issues/6", "https://github.com/rook/rook/issues/8315"],
        [
            cause(
                pvc,
                "storage",
                sym(pvc, "pvc-storage-class-missing", "pvc-not-bound"),
                sym(pod, "pod-pending"),
                sym(dep_ref("media", "paperless"), "workload-replicas-unavailable"),
                route_down("media", "paperless"),
            )
        ],
    )


def job_conditions(at: str, *, failed: bool = False) -> list[dict[str, Any]]:
    """The job controller's two terminal conditions: SuccessCriteriaMet and Complete, or FailureTarget and
    Failed once the backoff limit is reached."""
    if failed:
        message, reason, types = (
            "Job has reached the specified backoff limit",
            "BackoffLimitExceeded",
            ("FailureTarget", "Failed"),
        )
    else:
        message, reason, types = (
            "Reached expected number of succeeded pods",
            "CompletionsReached",
            ("SuccessCriteriaMet", "Complete"),
        )
    return [
        {
            "lastProbeTime": at,
            "lastTransitionTime": at,
            "message": message,
            "reason": reason,
            "status": "True",
            "type": t,
        }
        for t in types
    ]


def job_spec(template: dict[str, Any], backoff_limit: int) -> dict[str, Any]:
    """A non-indexed Job's spec: one completion, one pod at a time."""
    return {
        "backoffLimit": backoff_limit,
        "completionMode": "NonIndexed",
        "completions": 1,
        "parallelism": 1,
        "template": template,
    }


def job_complete(started: str, done: str) -> dict[str, Any]:
    """Status of a Job whose one pod succeeded."""
    return {
        "completionTime": done,
        "conditions": job_conditions(done),
        "ready": 0,
        "startTime": started,
        "succeeded": 1,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }


def restic_backup_template(
    host: str, path: str, volume: dict[str, Any], *, restart: str = "Never", sa: str | None = None
) -> dict[str, Any]:
    """The pod template of a restic backup Job: ``volume`` mounted read-only at ``path``, backed up as ``host``
    with the repository settings of the Secret <host>-restic."""
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "restic",
                "image": "docker.io/restic/restic:0.18.0",
                "args": ["backup", path, "--host", host],
                "envFrom": [{"secretRef": {"name": f"{host}-restic"}}],
                "volumeMounts": [{"mountPath": path, "name": volume["name"], "readOnly": True}],
            }
        ],
        "restartPolicy": restart,
    }
    if sa:
        spec["serviceAccountName"] = sa
    spec["volumes"] = [volume]
    return {"spec": spec}


def cronjob_object(
    g: Lab,
    f: str,
    ns: str,
    name: str,
    job_template_spec: dict[str, Any],
    *,
    created: str,
    ks: str | None,
    generation: int,
    schedule: str,
    concurrency: str = "Forbid",
    failed_history: int = 1,
    status: dict[str, Any],
) -> dict[str, Any]:
    """A CronJob as the API server returns it; ``job_template_spec``: its jobTemplate's spec."""
    obj: dict[str, Any] = g.add(
        f,
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": g.meta(
                name,
                ns,
                created=created,
                ks=ks,
                kind="CronJob",
                group="batch",
                generation=generation,
                labels={"app.kubernetes.io/name": name},
            ),
            "spec": {
                "concurrencyPolicy": concurrency,
                "failedJobsHistoryLimit": failed_history,
                "schedule": schedule,
                "successfulJobsHistoryLimit": 3,
                "suspend": False,
                "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": job_template_spec},
            },
            "status": status,
        },
    )
    return obj


def cronjob_run(
    g: Lab,
    f: str,
    cj: dict[str, Any],
    name: str,
    *,
    created: str,
    spec: dict[str, Any],
    status: dict[str, Any],
) -> dict[str, Any]:
    """A Job the CronJob ``cj`` started, labelled as the job controller labels it."""
    obj: dict[str, Any] = g.add(
        f,
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": g.meta(
                name,
                cj["metadata"]["namespace"],
                created=created,
                owner=cj,
                labels={"batch.kubernetes.io/job-name": name, "job-name": name},
            ),
            "spec": spec,
            "status": status,
        },
    )
    return obj


def job_failed(started: str, conditions: list[dict[str, Any]], *, failed: int = 1) -> dict[str, Any]:
    """Status of a Job that failed (``conditions``: job_conditions(..., failed=True) or its variant)."""
    return {
        "conditions": conditions,
        "failed": failed,
        "ready": 0,
        "startTime": started,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }


def job_pod(
    g: Lab, f: str, job: dict[str, Any], *, node: str, created: str, plan: dict[str, Any]
) -> dict[str, Any]:
    """A pod of ``job``, labelled as the job controller labels it, with the Job template's spec."""
    name = job["metadata"]["name"]
    uid = job["metadata"]["uid"]
    pod = g.pod(
        f,
        name=f"{name}-{g.sfx(5)}",
        ns=job["metadata"]["namespace"],
        node=node,
        labels={
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": name,
            "controller-uid": uid,
            "job-name": name,
        },
        spec=copy.deepcopy(job["spec"]["template"]["spec"]),
        owner=job,
        created=created,
        plan=plan,
    )
    return cast("dict[str, Any]", pod)


def cronjob(
    g: Lab,
    ns: str,
    name: str,
    image: str,
    *,
    schedule: str,
    failed_msg: str | None,
    node: str,
    created: str,
    last_run: str,
    ks: str | None = None,
    last_success: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A CronJob and its last Job (Failed with BackoffLimitExceeded when failed_msg is given) with its pod."""
    f = f"apps-{ns}.yaml"
    tpl = {
        "spec": {"containers": [{"name": name, "image": image, "args": ["sync"]}], "restartPolicy": "Never"}
    }
    cj = cronjob_object(
        g,
        f,
        ns,
        name,
        {"backoffLimit": 0, "template": tpl},
        created=created,
        ks=ks,
        generation=1,
        schedule=schedule,
        status={"lastScheduleTime": last_run},
    )
    if not failed_msg:
        cj["status"]["lastSuccessfulTime"] = plus(last_run, seconds=41)
        return cj, None
    if last_success:
        cj["status"]["lastSuccessfulTime"] = last_success
    jname = f"{name}-{g.rng.randint(29000000, 29199999)}"
    fin = plus(last_run, seconds=35)
    job = cronjob_run(
        g,
        f,
        cj,
        jname,
        created=last_run,
        spec=job_spec(tpl, 0),
        status=job_failed(last_run, job_conditions(fin, failed=True)),
    )
    job_pod(
        g,
        f,
        job,
        node=node,
        created=plus(last_run, seconds=1),
        plan={"mode": "failed", "finished": fin, "message": failed_msg, "exit_code": 1},
    )
    ev(
        g,
        job,
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        first=fin,
        component="job-controller",
        host="",
    )
    return cj, job


def webhook_backend_crashloop() -> tuple[Lab, Expected]:
    g = lab("webhook-backend-crashloop")
    since = g.ago(hours=2, minutes=7)
    crash_msg = (
        '2025-06-16T02:58:11Z\tERROR\tsetup\tfailed to initialize TLS\t{"error": "secrets '
        '\\"kyverno-svc.kyverno.svc.kyverno-tls-pair\\" not found"}\nmain.main\n\t/src/cmd/kyverno/main.go:412'
    )
    kyv_sel = {
        "app.kubernetes.io/component": "admission-controller",
        "app.kubernetes.io/instance": "kyverno",
        "app.kubernetes.io/part-of": "kyverno",
    }
    g.deployment(
        "kyverno.yaml",
        "kyverno",
        "kyverno-admission-controller",
        created=plus(CLUSTER_BORN, days=15),
        selector=kyv_sel,
        helm=("kyverno", "kyverno"),
        sa="kyverno-admission-controller",
        spec={
            "containers": [
                {
                    "name": "kyverno",
                    "image": "ghcr.io/kyverno/kyverno:v1.12.5",
                    "args": [
                        "--caSecretName=kyverno-svc.kyverno.svc.kyverno-tls-ca",
                        "--tlsSecretName=kyverno-svc.kyverno.svc.kyverno-tls-pair",
                        "--servicePort=443",
                    ],
                    "ports": [{"containerPort": 9443, "name": "https"}],
                    "readinessProbe": {
                        "httpGet": {"path": "/health/readiness", "port": 9443, "scheme": "HTTPS"}
                    },
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                }
            ]
        },
        pods=[
            {
                "node": "k3s1",
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, seconds=-30),
                "crash": {"kyverno": crash(g, crash_msg, 29)},
            }
        ],
        progress_since=since,
    )
    g.service(
        "kyverno.yaml",
        "kyverno",
        "kyverno-svc",
        selector=kyv_sel,
        created=plus(CLUSTER_BORN, days=15),
        helm=("kyverno", "kyverno"),
        labels=kyv_sel,
        ports=[{"name": "https", "port": 443, "targetPort": "https"}],
    )
    kpod = the_pod(g, "kyverno", "kyverno-admission-controller-")
    backoff_event(g, kpod, "kyverno", 35, since)
    mwc = g.cr(
        "kyverno.yaml",
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        "kyverno-resource-mutating-webhook-cfg",
        None,
        created=plus(CLUSTER_BORN, days=15),
        generation=4,
        labels={"webhook.kyverno.io/managed-by": "kyverno"},
        extra={
            "webhooks": [
                {
                    "admissionReviewVersions": ["v1"],
                    "clientConfig": {
                        "caBundle": b64("-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"),
                        "service": {
                            "name": "kyverno-svc",
                            "namespace": "kyverno",
                            "path": "/mutate/fail",
                            "port": 443,
                        },
                    },
                    "failurePolicy": "Fail",
                    "matchPolicy": "Equivalent",
                    "name": "mutate.kyverno.svc-fail",
                    "namespaceSelector": {
                        "matchExpressions": [
                            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kyverno"]}
                        ]
                    },
                    "objectSelector": {},
                    "reinvocationPolicy": "IfNeeded",
                    "rules": [
                        {
                            "apiGroups": [""],
                            "apiVersions": ["v1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["pods"],
                            "scope": "*",
                        }
                    ],
                    "sideEffects": "NoneOnDryRun",
                    "timeoutSeconds": 10,
                }
            ]
        },
    )
    # sonarr's pod was deleted by a node drain; its ReplicaSet cannot create the replacement
    dep = s.media_app(g, "sonarr", "k3s2", 8989, pods=[], replicas=1)
    rs = dep["_rs"]
    msg = (
        'Error creating: Internal error occurred: failed calling webhook "mutate.kyverno.svc-fail": failed to call webhook: '
        'Post "https://kyverno-svc.kyverno.svc:443/mutate/fail?timeout=10s": no endpoints available for service "kyverno-svc"'
    )
    rs["status"]["conditions"] = [
        {
            "lastTransitionTime": plus(since, minutes=20),
            "message": msg,
            "reason": "FailedCreate",
            "status": "True",
            "type": "ReplicaFailure",
        }
    ]
    ev(
        g,
        rs,
        "FailedCreate",
        msg,
        first=plus(since, minutes=20),
        last=g.ago(minutes=2),
        count=27,
        component="replicaset-controller",
        host="",
    )
    return g, expected(
        "Kyverno's admission controller crash-loops (its TLS Secret is gone), so its mutating webhook - failurePolicy "
        "Fail, matching every pod outside the kyverno namespace - has no endpoint: the API server refuses pod creation "
        "and Sonarr's ReplicaSet cannot replace the pod a drain removed. The failing webhook backend (its Deployment) "
        "is the cause.",
        [
            "https://github.com/kubernetes-sigs/kubebuilder/issues/3052",
            "https://github.com/gopaddle-io/configurator/issues/74",
        ],
        [
            cause(
                dep_ref("kyverno", "kyverno-admission-controller"),
                "workload",
                sym(kpod, "pod-crashloop"),
                sym(mwc, "admission-webhook-unavailable"),
                sym(dep_ref("media", "sonarr"), "workload-replicas-unavailable"),
                route_down("media", "sonarr"),
            )
        ],
    )


def webhook_orphaned_ingress_nginx() -> tuple[Lab, Expected]:
    g = lab("webhook-orphaned-ingress-nginx", traefik=True)
    flux_base(g)
    at = g.ago(hours=3, minutes=40)
    vwc = g.cr(
        "flux.yaml",
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        "ingress-nginx-admission",
        None,
        created=plus(CLUSTER_BORN, days=2),
        generation=2,
        labels={
            "app.kubernetes.io/component": "admission-webhook",
            "app.kubernetes.io/instance": "ingress-nginx",
            "app.kubernetes.io/name": "ingress-nginx",
            "app.kubernetes.io/part-of": "ingress-nginx",
            "app.kubernetes.io/version": "1.10.1",
        },
        extra={
            "webhooks": [
                {
                    "admissionReviewVersions": ["v1"],
                    "clientConfig": {
                        "caBundle": b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
                        "service": {
                            "name": "ingress-nginx-controller-admission",
                            "namespace": "ingress-nginx",
                            "path": "/networking/v1/ingresses",
                            "port": 443,
                        },
                    },
                    "failurePolicy": "Fail",
                    "matchPolicy": "Equivalent",
                    "name": "validate.nginx.ingress.kubernetes.io",
                    "namespaceSelector": {},
                    "objectSelector": {},
                    "rules": [
                        {
                            "apiGroups": ["networking.k8s.io"],
                            "apiVersions": ["v1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["ingresses"],
                            "scope": "*",
                        }
                    ],
                    "sideEffects": "None",
                    "timeoutSeconds": 10,
                }
            ]
        },
    )
    msg = (
        "Ingress/media/overseerr dry-run failed, error: Internal error occurred: failed calling webhook "
        '"validate.nginx.ingress.kubernetes.io": failed to call webhook: Post "https://ingress-nginx-controller-admission.'
        'ingress-nginx.svc:443/networking/v1/ingresses?timeout=10s": service "ingress-nginx-controller-admission" not found'
    )
    ks = kustomization_fails(
        g,
        "apps-media",
        "./clusters/k3s-home/apps/media",
        "ReconciliationFailed",
        msg,
        created=plus(CLUSTER_BORN, days=3),
        at=at,
        last=g.ago(minutes=7),
        count=23,
    )
    s.media_app(g, "sonarr", "k3s2", 8989, route=False)
    return g, expected(
        "ingress-nginx was replaced by the K3s Traefik, but its ValidatingWebhookConfiguration (failurePolicy Fail) was "
        "left behind: every Ingress create/update is sent to a Service that no longer exists, so the apps-media "
        "Kustomization cannot apply its new Ingress. The orphaned webhook configuration is the cause.",
        [
            "https://github.com/kubernetes/ingress-nginx/issues/5401",
            "https://github.com/antonputra/tutorials/issues/85",
            "https://github.com/prometheus-community/helm-charts/issues/3931",
        ],
        [cause(vwc, "platform", sym(vwc, "admission-webhook-unavailable"), sym(ks, "flux-not-ready"))],
    )


def networkpolicy_blocks_other_namespaces() -> tuple[Lab, Expected]:
    g = lab("networkpolicy-blocks-other-namespaces")
    dep = s.media_app(g, "sonarr", "k3s2", 8989)
    s.media_app(g, "radarr", "k3s3", 7878)
    svc = dep["_svc"]
    netpol = g.cr(
        "apps-media.yaml",
        "networking.k8s.io/v1",
        "NetworkPolicy",
        "deny-from-other-namespaces",
        "media",
        created=g.ago(hours=14),
        ks="apps-media",
        generation=1,
        spec={"ingress": [{"from": [{"podSelector": {}}]}], "podSelector": {}, "policyTypes": ["Ingress"]},
    )
    netpol.pop("status", None)
    last = g.ago(hours=1, minutes=0, seconds=12)
    msg = (
        f"[ERR] [sonarr] HttpRequestException: Connection timed out (sonarr.media.svc.cluster.local:8989)\n"
        f"[ERR] Unable to connect to http://sonarr.media.svc.cluster.local:8989/api/v3/system/status ({svc['spec']['clusterIP']}:8989): "
        "The operation has timed out."
    )
    cj, _job = cronjob(
        g,
        "automation",
        "recyclarr",
        "ghcr.io/recyclarr/recyclarr:7.4.1",
        schedule="0 * * * *",
        failed_msg=msg,
        node="k3s1",
        created=plus(CLUSTER_BORN, days=10),
        last_run=last,
        ks="apps-automation",
        last_success=g.ago(hours=15, minutes=59, seconds=19),
    )
    return g, expected(
        "A 'deny from other namespaces' NetworkPolicy was added to the media namespace (ingress only from pods of the same "
        "namespace). Sonarr and Radarr stay Ready, but Recyclarr in the automation namespace times out on "
        "sonarr.media.svc:8989 and its hourly job fails. The NetworkPolicy that isolates the Ready pods is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/112467",
            "https://github.com/ahmetb/kubernetes-network-policy-recipes/issues/24",
        ],
        [cause(netpol, "network", sym(netpol, "networkpolicy-blocks-traffic"), sym(cj, "job-failed"))],
    )


def cert_manager_down_cert_expired() -> tuple[Lab, Expected]:
    g = lab("cert-manager-down-cert-expired")
    p.cert_manager(g, http01_only=False, controllers=True)
    since = g.ago(days=34)
    cm = next(
        x
        for x in pods_of(g, "cert-manager", "cert-manager-")
        if not x["metadata"]["name"].startswith(("cert-manager-webhook", "cert-manager-cainjector"))
    )
    dep = find(g, "Deployment", "cert-manager", "cert-manager")
    msg = (
        "E0616 02:58:41.191812       1 leaderelection.go:347] error retrieving resource lock kube-system/cert-manager-controller: "
        'Get "https://10.43.0.1:443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cert-manager-controller": '
        'context deadline exceeded\nE0616 02:58:41.192031       1 main.go:39] "error executing command" '
        'err="error starting controller: failed to wait for caches to sync: timed out waiting for cache to be synced for '
        'Kind *v1.Challenge" logger="cert-manager"'
    )
    # rebuild the controller's pod as a crash loop that has lasted since before the renewal was due
    cs = cm["status"]["containerStatuses"][0]
    cs.update(
        {
            "lastState": {
                "terminated": {
                    "containerID": f"containerd://{g.hexs(64)}",
                    "exitCode": 1,
                    "finishedAt": g.ago(minutes=3),
                    "message": msg,
                    "reason": "Error",
                    "startedAt": g.ago(minutes=4),
                }
            },
            "ready": False,
            "restartCount": 6120,
            "started": False,
            "state": {
                "waiting": {
                    "message": f"back-off 5m0s restarting failed container={cs['name']} "
                    f"pod={cm['metadata']['name']}_cert-manager({cm['metadata']['uid']})",
                    "reason": "CrashLoopBackOff",
                }
            },
        }
    )
    unready(cm, [cs["name"]], since)
    dep["status"] = {
        "conditions": [
            {
                "lastTransitionTime": since,
                "lastUpdateTime": since,
                "message": "Deployment does not have minimum availability.",
                "reason": "MinimumReplicasUnavailable",
                "status": "False",
                "type": "Available",
            },
            dep["status"]["conditions"][1],
        ],
        "observedGeneration": dep["status"]["observedGeneration"],
        "replicas": 1,
        "unavailableReplicas": 1,
        "updatedReplicas": 1,
    }
    rs = next(
        o
        for o in g.all_objects()
        if o["kind"] == "ReplicaSet"
        and o["metadata"]["name"].startswith("cert-manager-")
        and not o["metadata"]["name"].startswith(("cert-manager-webhook", "cert-manager-cainjector"))
    )
    rs["status"].pop("readyReplicas", None)
    rs["status"].pop("availableReplicas", None)
    backoff_event(g, cm, cs["name"], 6120, since)
    cert = wildcard_certificate(g, not_after=g.ago(days=4, hours=6))
    p.gateway(g, https_ok=True, routes=2)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "cert-manager's controller has crash-looped for weeks (it cannot sync its caches), so the wildcard certificate "
        "was never renewed and expired four days ago - while its Ready condition, written before the controller died, "
        "still says 'up to date and has not expired'. The controller Deployment is the cause; the expired certificate "
        "is its symptom.",
        [
            "https://github.com/cert-manager/cert-manager/issues/3481",
            "https://github.com/cert-manager/cert-manager/issues/7895",
        ],
        [cause(dep, "workload", sym(cm, "pod-crashloop"), sym(cert, "certificate-expiring"))],
    )


def acme_http01_404() -> tuple[Lab, Expected]:
    g = lab("acme-http01-404")
    s.tls_setup(g, wildcard_ok=True)
    created = g.ago(hours=4, minutes=2)
    fail = (
        "The certificate request has failed to complete and will be retried: Failed to wait for order resource "
        '"jellyfin-tls-1-3418227905" to become ready: order is in "invalid" state: '
    )
    # the Gateway's listener names the Secret without a namespace, i.e. in the Gateway's namespace: the Certificate
    # (like the one cert-manager's gateway-shim would create) lives there too
    cert = p.certificate(
        g,
        "networking",
        "jellyfin-tls",
        ["jellyfin.example-family.org"],
        created=created,
        secret="jellyfin-tls",
        state="failed",
        failure=fail,
    )
    cert["spec"]["issuerRef"]["name"] = "letsencrypt-prod"
    reason = "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'"
    g.cr(
        "cert-manager.yaml",
        "acme.cert-manager.io/v1",
        "Challenge",
        "jellyfin-tls-1-3418227905-2751862641",
        "networking",
        created=plus(created, seconds=3),
        finalizers=["finalizer.acme.cert-manager.io"],
        owner=cert,
        spec={
            "authorizationURL": "https://acme-v02.api.letsencrypt.org/acme/authz-v3/512231871223",
            "dnsName": "jellyfin.example-family.org",
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            "key": "Kq8bW3" + g.hexs(20),
            "solver": {
                "http01": {
                    "gatewayHTTPRoute": {
                        "parentRefs": [
                            {
                                "group": "gateway.networking.k8s.io",
                                "kind": "Gateway",
                                "name": "main-gateway",
                                "namespace": "networking",
                                "sectionName": "http",
                            }
                        ]
                    }
                }
            },
            "token": g.hexs(43),
            "type": "HTTP-01",
            "url": "https://acme-v02.api.letsencrypt.org/acme/chall-v3/512231871223/xQ2kvw",
            "wildcard": False,
        },
        status={"presented": True, "processing": True, "reason": reason, "state": "pending"},
    )
    gw = p.gateway(
        g,
        https_ok=True,
        routes=2,
        extra_listeners=[("https-family", "jellyfin.example-family.org", "jellyfin-tls")],
    )
    for lst in gw["status"]["listeners"]:
        if lst["name"] == "https-family":
            lst["conditions"] = [
                Lab.cond(
                    "Programmed",
                    "False",
                    "Invalid",
                    "Invalid CertificateRef",
                    lst["conditions"][0]["lastTransitionTime"],
                ),
                Lab.cond(
                    "Accepted",
                    "True",
                    "Accepted",
                    "Listener Accepted",
                    lst["conditions"][0]["lastTransitionTime"],
                ),
                Lab.cond(
                    "ResolvedRefs",
                    "False",
                    "InvalidCertificateRef",
                    "Invalid CertificateRef",
                    lst["conditions"][0]["lastTransitionTime"],
                ),
            ]
    app(
        g,
        "jellyfin",
        "docker.io/jellyfin/jellyfin:10.10.7",
        8096,
        node="k3s3",
        host="jellyfin.example-family.org",
        route=True,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A second domain's certificate (jellyfin.example-family.org) never issues: the HTTP-01 self-check gets 404 because "
        "that domain's DNS still points at the old reverse proxy, not at the Gateway. The Gateway listener for it has no "
        "certificate Secret. The Certificate that cannot be issued is the cause; the listener is its symptom.",
        [
            "https://github.com/cert-manager/cert-manager/issues/5752",
            "https://github.com/cert-manager/cert-manager/issues/3332",
        ],
        [cause(cert, "platform", sym(cert, "certificate-not-ready"), sym(gw, "gateway-not-accepted"))],
    )


def missing_secret_env() -> tuple[Lab, Expected]:
    g = lab("missing-secret-env")
    since = g.ago(minutes=38)
    env = [
        {
            "name": "PAPERLESS_SECRET_KEY",
            "valueFrom": {"secretKeyRef": {"key": "secret-key", "name": "paperless-secrets"}},
        },
        {
            "name": "PAPERLESS_DBPASS",
            "valueFrom": {"secretKeyRef": {"key": "db-password", "name": "paperless-secrets"}},
        },
    ]
    app(
        g,
        "paperless",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        node="k3s1",
        env=env,
        strategy={"type": "Recreate"},
        pods=[{"node": "k3s1", "mode": "creating", "created": since}],
    )
    pod = the_pod(g, "media", "paperless-")
    config_error(
        g,
        pod,
        'secret "paperless-secrets" not found',
        since=since,
        first=plus(since, seconds=4),
        last=g.ago(seconds=40),
        count=178,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Paperless's Deployment takes PAPERLESS_SECRET_KEY and the DB password from Secret 'paperless-secrets', which "
        "was never created (the SOPS file was not added to the kustomization): CreateContainerConfigError, the app and "
        "its route are down. The Deployment holding the reference is the cause.",
        [
            "https://github.com/reportportal/kubernetes/issues/178",
            "https://github.com/hetznercloud/csi-driver/pull/306",
        ],
        [
            cause(
                dep_ref("media", "paperless"),
                "workload",
                sym(pod, "pod-config-error"),
                sym(dep_ref("media", "paperless"), "workload-replicas-unavailable"),
                route_down("media", "paperless"),
            )
        ],
    )


def missing_configmap_volume() -> tuple[Lab, Expected]:
    g = lab("missing-configmap-volume")
    since = g.ago(hours=1, minutes=3)
    app(
        g,
        "homepage",
        "ghcr.io/gethomepage/homepage:v1.3.2",
        3000,
        node="k3s2",
        strategy={"type": "Recreate"},
        extra_volumes=[
            (
                {"mountPath": "/app/config", "name": "config"},
                {"configMap": {"defaultMode": 420, "name": "homepage-config"}, "name": "config"},
            )
        ],
        pods=[{"node": "k3s2", "mode": "creating", "created": since}],
    )
    pod = the_pod(g, "media", "homepage-")
    ev(
        g,
        pod,
        "FailedMount",
        'MountVolume.SetUp failed for volume "config" : configmap "homepage-config" not found',
        first=plus(since, seconds=1),
        last=g.ago(minutes=1),
        count=39,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Homepage mounts ConfigMap 'homepage-config', which a refactor renamed to 'homepage' in the kustomization: the "
        "pod stays in ContainerCreating on 'configmap \"homepage-config\" not found'. The Deployment holding the reference "
        "is the cause.",
        [
            "https://github.com/cuishuaigit/k8s-monitor/issues/2",
            "https://github.com/kruize/autotune/issues/35",
        ],
        [
            cause(
                dep_ref("media", "homepage"),
                "workload",
                sym(pod, "failed-mount-events", "pod-pending"),
                sym(dep_ref("media", "homepage"), "workload-replicas-unavailable"),
                route_down("media", "homepage"),
            )
        ],
    )


def oomkilled_app() -> tuple[Lab, Expected]:
    g = lab("oomkilled-app")
    since = g.ago(hours=5, minutes=2)
    res = {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}}
    app(
        g,
        "immich-machine-learning",
        "ghcr.io/immich-app/immich-machine-learning:v1.135.3",
        3003,
        node="k3s3",
        resources=res,
        route=False,
        pods=[
            {
                "node": "k3s3",
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, minutes=-2),
                "crash": {
                    "immich-machine-learning": crash(g, "", 73, exit_code=137, reason="OOMKilled", ran=48)
                },
            }
        ],
    )
    pod = the_pod(g, "media", "immich-machine-learning-")
    pod["status"]["containerStatuses"][0]["lastState"]["terminated"].pop("message", None)
    backoff_event(g, pod, "immich-machine-learning", 1021, since)
    app(g, "immich-server", "ghcr.io/immich-app/immich-server:v1.135.3", 2283, node="k3s3")
    return g, expected(
        "Immich's machine-learning container loads its CLIP model into more than its 512Mi memory limit and is "
        "OOMKilled (exit 137) at every start: CrashLoopBackOff. The Deployment's memory limit is the cause.",
        [
            "https://github.com/operator-framework/operator-sdk-samples/issues/156",
            "https://github.com/google/osv.dev/pull/5056",
        ],
        [
            cause(
                dep_ref("media", "immich-machine-learning"),
                "workload",
                sym(pod, "pod-crashloop"),
                sym(dep_ref("media", "immich-machine-learning"), "workload-replicas-unavailable"),
            )
        ],
    )


def gateway_ip_pool_exhausted() -> tuple[Lab, Expected]:
    g = lab("gateway-ip-pool-exhausted")
    pool = find(g, "CiliumLoadBalancerIPPool", "main-pool")
    at = pool["status"]["conditions"][0]["lastTransitionTime"]
    pool["spec"]["blocks"] = [{"cidr": "192.168.10.224/30"}]
    pool["status"]["conditions"] = [
        Lab.cond("cilium.io/IPsTotal", "Unknown", "noreason", "4", at),
        Lab.cond("cilium.io/IPsAvailable", "Unknown", "noreason", "0", g.ago(hours=2)),
        Lab.cond("cilium.io/IPsUsed", "Unknown", "noreason", "4", g.ago(hours=2)),
        Lab.cond("cilium.io/PoolConflict", "False", "resolved", "", at),
    ]
    for i, (ns, name, port) in enumerate(
        (
            ("home", "home-assistant", 8123),
            ("home", "mosquitto", 1883),
            ("dns", "adguard-dns", 53),
            ("media", "plex-lb", 32400),
        )
    ):
        g.service(
            f"apps-{ns}.yaml",
            ns,
            name,
            selector=None,
            created=g.ago(days=9 - i, hours=2 if i == 3 else 0),
            type_="LoadBalancer",
            lb_ip=f"192.168.10.{224 + i}",
            ks=f"apps-{ns}",
            ports=[{"name": "main", "port": port, "targetPort": port}],
        )
    tls = s.tls_setup
    tls(g, wildcard_ok=True)
    gw = p.gateway(g, https_ok=True, routes=2)
    svc = find(g, "Service", "cilium-gateway-main-gateway")
    svc["metadata"]["creationTimestamp"] = g.ago(hours=1, minutes=48)
    svc["status"] = {
        "conditions": [
            {
                "lastTransitionTime": g.ago(hours=1, minutes=48),
                "message": "",
                "reason": "out_of_ips",
                "status": "False",
                "type": "cilium.io/IPAMRequestSatisfied",
            }
        ],
        "loadBalancer": {},
    }
    gat = g.ago(hours=1, minutes=48)
    gw["status"]["addresses"] = []
    gw["status"]["conditions"] = [
        Lab.cond("Accepted", "True", "Accepted", "Gateway successfully scheduled", gat),
        Lab.cond(
            "Programmed", "False", "AddressNotAssigned", "No addresses have been assigned to the Gateway", gat
        ),
    ]
    del gw["status"]["addresses"]
    s.media_app(g, "sonarr", "k3s2", 8989)
    s.media_app(g, "radarr", "k3s3", 7878)
    return g, expected(
        "The Gateway's LoadBalancer Service was re-created (Cilium upgrade) while a new plex LoadBalancer took the last "
        "free address: the /30 pool has 0 IPs available, the Gateway Service gets none, the Gateway is not Programmed "
        "(AddressNotAssigned) and every HTTPRoute behind it is unreachable. The exhausted IP pool is the cause.",
        [
            "https://github.com/cilium/cilium/issues/38123",
            "https://github.com/cilium/cilium/issues/39322",
            "https://github.com/metallb/metallb/issues/1586",
        ],
        [cause(pool, "network", sym(pool, "cilium-lb-ip-pool"), sym(gw, "gateway-not-accepted"))],
    )


def ingress_selector_mismatch() -> tuple[Lab, Expected]:
    g = lab("ingress-selector-mismatch", traefik=True)
    created = g.ago(hours=2, minutes=20)
    sel = {"app.kubernetes.io/name": "whoami"}
    g.deployment(
        "apps-default.yaml",
        "default",
        "whoami",
        created=created,
        selector=sel,
        spec={
            "containers": [
                {
                    "name": "whoami",
                    "image": "docker.io/traefik/whoami:v1.10.4",
                    "ports": [{"containerPort": 80, "name": "http"}],
                }
            ]
        },
        pods=[
            {"node": "k3s2", "created": plus(created, seconds=2)},
            {"node": "k3s3", "created": plus(created, seconds=2)},
        ],
    )
    svc = g.service(
        "apps-default.yaml",
        "default",
        "whoami",
        selector={"app": "whoami"},
        created=created,
        labels={"app": "whoami"},
        ports=[{"name": "http", "port": 80, "targetPort": 80}],
    )
    ing = ingress(
        g,
        "default",
        "whoami",
        "whoami.home.arpa",
        80,
        created=created,
        ks=None,
        annotations={"traefik.ingress.kubernetes.io/router.entrypoints": "web,websecure"},
    )
    return g, expected(
        "The whoami Service selects app=whoami but the Deployment labels its pods app.kubernetes.io/name=whoami: the "
        "Service has no endpoints at all (Traefik logs 'Skipping service: no endpoints found') although both pods are "
        "Ready, and the Ingress answers 404/503. The Service with the wrong selector is the cause.",
        [
            "https://github.com/traefik/traefik/issues/9242",
            "https://github.com/mysticaltech/terraform-hcloud-kube-hetzner/issues/73",
        ],
        [
            cause(
                svc, "network", sym(svc, "service-no-ready-endpoints"), sym(ing, "route-backend-unavailable")
            )
        ],
    )


def pvc_wffc_insufficient_cpu() -> tuple[Lab, Expected]:
    g = lab("pvc-wffc-insufficient-cpu")
    created = g.ago(hours=3, minutes=30)
    msg = (
        "0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found "
        "for incoming pod."
    )
    pvc = g.pvc(
        "apps-ai.yaml",
        "ai",
        "localai-models",
        size="100Gi",
        sc="local-path",
        created=created,
        provisioner="rancher.io/local-path",
        phase="Pending",
        ks="apps-ai",
    )
    app(
        g,
        "localai",
        "docker.io/localai/localai:v2.29.0-aio-cpu",
        8080,
        ns="ai",
        node="k3s3",
        strategy={"type": "Recreate"},
        resources={"limits": {"memory": "64Gi"}, "requests": {"cpu": "96", "memory": "32Gi"}},
        extra_volumes=[
            (
                {"mountPath": "/build/models", "name": "models"},
                {"name": "models", "persistentVolumeClaim": {"claimName": "localai-models"}},
            )
        ],
        pods=[unschedulable(plus(created, seconds=1), msg)],
    )
    pod = the_pod(g, "ai", "localai-")
    g.series_event(
        EV,
        pod,
        reason="FailedScheduling",
        message=msg,
        first=plus(created, seconds=1),
        last=g.ago(minutes=4),
        count=43,
    )
    ev(
        g,
        pvc,
        "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding",
        first=created,
        last=g.ago(seconds=15),
        count=842,
        component="persistentvolume-controller",
        host="",
        type_="Normal",
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "LocalAI asks for 96 CPUs (a values typo: '96' instead of '9600m'/'6'); no node has that many, so the pod is "
        "unschedulable and its local-path claim (WaitForFirstConsumer) waits forever for a consumer to land. The "
        "Deployment's request is the cause; the Pending PVC is only its symptom.",
        [
            "https://github.com/kubernetes/kubernetes/issues/86262",
            "https://github.com/Oteemo/charts/issues/122",
        ],
        [
            cause(
                dep_ref("ai", "localai"),
                "workload",
                sym(pod, "pod-pending"),
                sym(pvc, "pvc-not-bound"),
                sym(dep_ref("ai", "localai"), "workload-replicas-unavailable"),
                route_down("ai", "localai"),
            )
        ],
    )


def waits_for_provisioner(g: Lab, claim: dict[str, Any], *, first: str, last: str, count: int) -> None:
    """The persistentvolume-controller's Normal ExternalProvisioning event on a claim no volume was provisioned for."""
    provisioner = claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"]
    ev(
        g,
        claim,
        "ExternalProvisioning",
        f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by "
        "the system administrator. If volume creation is delayed, please verify that the provisioner is running and "
        "correctly registered.",
        first=first,
        last=last,
        count=count,
        component="persistentvolume-controller",
        host="",
        type_="Normal",
    )


def volume_binding_times_out(
    g: Lab,
    name: str,
    image: str,
    port: int,
    claim_name: str,
    volume: tuple[str, str],
    *,
    ns: str,
    node: str,
    created: str,
    last: str,
    count: int,
    **kw: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Deployment (Recreate) whose only pod, created two seconds after ``created``, mounts the claim ``claim_name``
    (``volume``: name, mount path) that never gets a volume: the scheduler gives up binding it ten minutes later and
    keeps retrying (FailedScheduling, last at ``last``). Returns the Deployment and the pod."""
    msg = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded'
    gave_up = plus(created, minutes=10, seconds=2)
    vol, path = volume
    dep = app(
        g,
        name,
        image,
        port,
        ns=ns,
        node=node,
        strategy={"type": "Recreate"},
        extra_volumes=[
            (
                {"mountPath": path, "name": vol},
                {"name": vol, "persistentVolumeClaim": {"claimName": claim_name}},
            )
        ],
        pods=[unschedulable(plus(created, seconds=2), msg, since=gave_up)],
        **kw,
    )
    pod = the_pod(g, ns, f"{name}-")
    g.series_event(EV, pod, reason="FailedScheduling", message=msg, first=gave_up, last=last, count=count)
    return dep, pod


def crashify(
    g: Lab,
    pod: dict[str, Any],
    container: str,
    message: str,
    restarts: int,
    since: str,
    *,
    exit_code: int = 1,
    reason: str = "Error",
) -> None:
    """Turn a running pod's container into the CrashLoopBackOff the kubelet reports, crash-looping since ``since``."""
    st = pod["status"]
    for cs in st["containerStatuses"]:
        if cs["name"] != container:
            continue
        fin = g.ago(seconds=35 + restarts % 200)
        term: dict[str, Any] = {
            "containerID": f"containerd://{g.hexs(64)}",
            "exitCode": exit_code,
            "finishedAt": fin,
        }
        if message:
            term["message"] = message
        term.update({"reason": reason, "startedAt": plus(fin, seconds=-2)})
        cs.update(
            {
                "lastState": {"terminated": term},
                "ready": False,
                "restartCount": restarts,
                "started": False,
                "state": {
                    "waiting": {
                        "message": f"back-off 5m0s restarting failed container={container} "
                        f"pod={pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
                        "reason": "CrashLoopBackOff",
                    }
                },
            }
        )
    unready(pod, [container], since)
    backoff_event(g, pod, container, restarts * 4 + 3, since)


def workload_down(obj: dict[str, Any], since: str) -> None:
    """Status of a controller whose only pod is not ready."""
    st = obj["status"]
    if obj["kind"] == "Deployment":
        st.pop("readyReplicas", None)
        st.pop("availableReplicas", None)
        st["unavailableReplicas"] = obj["spec"]["replicas"]
        st["conditions"][0] = {
            "lastTransitionTime": since,
            "lastUpdateTime": since,
            "message": "Deployment does not have minimum availability.",
            "reason": "MinimumReplicasUnavailable",
            "status": "False",
            "type": "Available",
        }
    elif obj["kind"] == "DaemonSet":
        st.pop("numberAvailable", None)
        st["numberReady"] = 0
        st["numberUnavailable"] = st["desiredNumberScheduled"]
    elif obj["kind"] == "StatefulSet":
        st.pop("readyReplicas", None)
        st["availableReplicas"] = 0


def replica_failure(
    g: Lab, dep: dict[str, Any], msg: str, at: str, count: int, *, last: str | None = None
) -> None:
    """A ReplicaSet the API server refuses pods to (``msg``: the 'Error creating: ...' event): its
    ReplicaFailure condition, the FailedCreate events (last two minutes ago unless ``last``), the Deployment
    down, with the condition copied onto it as the deployment controller does."""
    rs = dep["_rs"]
    cond = {
        "lastTransitionTime": at,
        "message": msg.split("Error creating: ", 1)[1],
        "reason": "FailedCreate",
        "status": "True",
        "type": "ReplicaFailure",
    }
    rs["status"]["conditions"] = [cond]
    ev(
        g,
        rs,
        "FailedCreate",
        msg,
        first=at,
        last=last or g.ago(minutes=2),
        count=count,
        component="replicaset-controller",
        host="",
    )
    workload_down(dep, at)
    dep["status"]["conditions"].append(dict(cond, lastUpdateTime=at))


def dependency_not_ready(
    g: Lab, obj: dict[str, Any], message: str, *, first: str, last: str, count: int
) -> None:
    """The Normal DependencyNotReady event Flux repeats while a Kustomization or HelmRelease waits on a dependency."""
    ev(
        g,
        obj,
        "DependencyNotReady",
        message,
        first=first,
        last=last,
        count=count,
        component="helm-controller" if obj["kind"] == "HelmRelease" else "kustomize-controller",
        host="",
        type_="Normal",
    )


def apps_kustomization(
    g: Lab, area: str, *, created: str, applied: str, depends: list[str] | None = None, **kw: Any
) -> dict[str, Any]:
    """The Kustomization apps-``area`` (path ./clusters/k3s-home/apps/``area``, at the current Git revision),
    dependsOn ``depends`` (infrastructure unless given); ``kw`` as for Lab.kustomization."""
    ks = g.kustomization(
        f"apps-{area}",
        f"./clusters/k3s-home/apps/{area}",
        created=created,
        revision=p.GIT_REV,
        applied=applied,
        depends=depends or ["infrastructure"],
        **kw,
    )
    return cast("dict[str, Any]", ks)


def kustomization_fails(
    g: Lab,
    name: str,
    path: str,
    reason: str,
    message: str,
    *,
    created: str,
    at: str,
    last: str,
    count: int,
    last_applied: str | None = p.GIT_REV_OLD,
    **kw: Any,
) -> dict[str, Any]:
    """A Kustomization (dependsOn infrastructure) failing since ``at``: Ready False with ``reason``, and
    kustomize-controller's Warning event repeated since. ``last_applied`` None: it never applied anything."""
    ks = g.kustomization(
        name,
        path,
        created=created,
        revision=p.GIT_REV,
        applied=at,
        depends=["infrastructure"],
        ready=("False", reason, message),
        last_applied=last_applied,
        **kw,
    )
    ev(g, ks, reason, message, first=at, last=last, count=count, component="kustomize-controller", host="")
    return cast("dict[str, Any]", ks)


def source_fails(
    g: Lab, src: dict[str, Any], reason: str, message: str, at: str, *, last: str, count: int
) -> None:
    """A Flux source that cannot fetch since ``at``: Ready False and FetchFailed, and source-controller's
    Warning event repeated since."""
    ready_false(src, reason, message, at, [Lab.cond("FetchFailed", "True", reason, message, at)])
    ev(g, src, reason, message, first=at, last=last, count=count, component="source-controller", host="")


def ingress(
    g: Lab,
    ns: str,
    name: str,
    host: str,
    port: int,
    *,
    created: str,
    ks: str | None,
    annotations: dict[str, str],
    cls: str = "traefik",
    lb: bool = True,
    tls_secret: str | None = None,
    typed: bool = False,
) -> dict[str, Any]:
    """A one-rule Ingress in apps-<ns>.yaml: ``host`` / to the Service ``name``:``port``, with the ServiceLB
    address in its status when ``lb``. ``typed``: its metadata names its kind and generation, as a capture does."""
    spec: dict[str, Any] = {
        "ingressClassName": cls,
        "rules": [
            {
                "host": host,
                "http": {
                    "paths": [
                        {
                            "backend": {"service": {"name": name, "port": {"number": port}}},
                            "path": "/",
                            "pathType": "Prefix",
                        }
                    ]
                },
            }
        ],
    }
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    typing: dict[str, Any] = (
        {"generation": 1, "kind": "Ingress", "group": "networking.k8s.io"} if typed else {}
    )
    return cast(
        "dict[str, Any]",
        g.add(
            f"apps-{ns}.yaml",
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": g.meta(name, ns, created=created, ks=ks, annotations=annotations, **typing),
                "spec": spec,
                "status": {"loadBalancer": {"ingress": [{"ip": g.node_ip["k3s-master1"]}]} if lb else {}},
            },
        ),
    )


def velero_b2_unavailable(g: Lab, *, failed_nights: int, message: str, validated: str) -> dict[str, Any]:
    """Velero with its offsite location b2 Unavailable (``message``, validated at ``validated``): the daily-critical
    schedule completed once, then failed validation each of the last ``failed_nights`` nights (to 2025-06-16);
    MinIO and the hourly schedule work. Returns the b2 BackupStorageLocation."""
    fail = "backup can't be created because BackupStorageLocation b2 is in Unavailable status."
    first_failed = 17 - failed_nights
    p.velero(
        g,
        minio_ok=True,
        vsl_conflict=False,
        vsl=False,
        schedules=s.VELERO_SCHEDULES,
        backups=[
            ("hourly-longhorn", "2025-06-16T01:00:12Z", "Completed", {}),
            ("hourly-longhorn", "2025-06-16T02:00:12Z", "Completed", {}),
            ("daily-critical", f"2025-06-{first_failed - 1}T02:00:31Z", "Completed", {}),
            *(
                (
                    "daily-critical",
                    f"2025-06-{day}T02:00:31Z",
                    "FailedValidation",
                    {"validationErrors": [fail]},
                )
                for day in range(first_failed, 17)
            ),
        ],
    )
    bsl = find(g, "BackupStorageLocation", "b2", "velero")
    bsl["status"] = {"lastValidationTime": validated, "message": message, "phase": "Unavailable"}
    return bsl


def external_secrets_onepassword(
    g: Lab, *, seeds: tuple[int, int], broken: tuple[str, str, str] | None = None
) -> dict[str, Any]:
    """external-secrets (controller, webhook, cert controller) and 1Password Connect, read by the onepassword
    ClusterSecretStore with a Connect token; ``seeds``: the secret_text seeds of the Connect credentials and of the
    token. The store is Ready unless ``broken`` (reason, message, since). Returns the store."""
    f, ns = "external-secrets.yaml", "external-secrets"
    created = plus(CLUSTER_BORN, days=6)
    for name, args in (
        ("external-secrets", ["--concurrent=1"]),
        ("external-secrets-webhook", ["webhook", "--port=10250"]),
        ("external-secrets-cert-controller", ["certcontroller", "--crd-requeue-interval=5m"]),
    ):
        g.deployment(
            f,
            ns,
            name,
            created=created,
            selector={"app.kubernetes.io/instance": "external-secrets", "app.kubernetes.io/name": name},
            helm=("external-secrets", ns),
            sa=name,
            spec={
                "containers": [
                    {
                        "name": name.removeprefix("external-secrets-"),
                        "image": "ghcr.io/external-secrets/external-secrets:v0.18.2",
                        "args": args,
                    }
                ]
            },
            pods=[{"node": "k3s1", "created": plus(created, days=14)}],
            rs_created=plus(created, days=14),
            revision=3,
        )
    csel = {"app.kubernetes.io/name": "onepassword-connect"}
    g.deployment(
        f,
        ns,
        "onepassword-connect",
        created=created,
        selector=csel,
        ks="infrastructure",
        spec={
            "containers": [
                {
                    "name": "connect-api",
                    "image": "docker.io/1password/connect-api:1.7.3",
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "env": [
                        {
                            "name": "OP_SESSION",
                            "valueFrom": {
                                "secretKeyRef": {
                                    "name": "op-credentials",
                                    "key": "1password-credentials.json",
                                }
                            },
                        }
                    ],
                },
                {
                    "name": "connect-sync",
                    "image": "docker.io/1password/connect-sync:1.7.3",
                    "ports": [{"containerPort": 8081, "name": "sync"}],
                },
            ]
        },
        pods=[{"node": "k3s2", "created": plus(created, days=14)}],
        rs_created=plus(created, days=14),
    )
    g.service(
        f,
        ns,
        "onepassword-connect",
        selector=csel,
        created=created,
        ks="infrastructure",
        labels=csel,
        ports=[{"name": "http", "port": 8080, "targetPort": "http"}],
    )
    g.secret(
        f,
        ns,
        "op-credentials",
        {"1password-credentials.json": p.secret_text(seeds[0], 60)},
        created=created,
        ks="infrastructure",
    )
    g.secret(
        f,
        ns,
        "onepassword-connect-token",
        {"token": p.secret_text(seeds[1], 80)},
        created=created,
        ks="infrastructure",
    )
    ready = (
        Lab.cond("Ready", "False", *broken, gen=None)
        if broken
        else Lab.cond(
            "Ready", "True", "Valid", "store validated", plus(created, minutes=3, seconds=2), gen=None
        )
    )
    store: dict[str, Any] = g.cr(
        f,
        "external-secrets.io/v1",
        "ClusterSecretStore",
        "onepassword",
        None,
        created=plus(created, minutes=3),
        ks="infrastructure",
        spec={
            "provider": {
                "onepassword": {
                    "auth": {
                        "secretRef": {
                            "connectTokenSecretRef": {
                                "key": "token",
                                "name": "onepassword-connect-token",
                                "namespace": ns,
                            }
                        }
                    },
                    "connectHost": f"http://onepassword-connect.{ns}.svc.cluster.local:8080",
                    "vaults": {"homelab": 1},
                }
            },
            "refreshInterval": 300,
        },
        status={
            "capabilities": "ReadOnly",
            "conditions": [ready],
        },
    )
    return store


def external_secret(
    g: Lab,
    ns: str,
    name: str,
    at: str,
    status: dict[str, Any],
    *,
    data: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    """An ExternalSecret of apps-``ns`` created at ``at``, writing the Secret ``name`` from the onepassword
    ClusterSecretStore: ``data`` (Secret key, item, field) entries, or without them the whole item named like the
    Secret less '-secret' (dataFrom extract)."""
    remote = {"conversionStrategy": "Default", "decodingStrategy": "None"}
    source: dict[str, Any] = (
        {"dataFrom": [{"extract": {**remote, "key": name.removesuffix("-secret"), "metadataPolicy": "None"}}]}
        if data is None
        else {
            "data": [
                {
                    "remoteRef": {**remote, "key": key, "metadataPolicy": "None", "property": prop},
                    "secretKey": secret_key,
                }
                for secret_key, key, prop in data
            ]
        }
    )
    es: dict[str, Any] = g.cr(
        f"apps-{ns}.yaml",
        "external-secrets.io/v1",
        "ExternalSecret",
        name,
        ns,
        created=at,
        ks=f"apps-{ns}",
        spec={
            **source,
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"},
            "target": {"creationPolicy": "Owner", "deletionPolicy": "Retain", "name": name},
        },
        status=status,
    )
    return es


def secret_sync_error(at: str) -> dict[str, Any]:
    """An ExternalSecret's Ready condition once the provider refused it."""
    cond = Lab.cond(
        "Ready", "False", "SecretSyncedError", "could not get secret data from provider", at, gen=None
    )
    return cast("dict[str, Any]", cond)


def paperless_reads_synced_secret(g: Lab, data: dict[str, str], *, created: str) -> None:
    """Paperless-ngx (home, k3s1) reading PAPERLESS_SECRET_KEY from the Secret paperless-secret, which
    external-secrets wrote (``data``) at ``created`` and still holds."""
    g.secret(
        "apps-home.yaml",
        "home",
        "paperless-secret",
        data,
        created=created,
        labels={"reconcile.external-secrets.io/managed": "true"},
    )
    app(
        g,
        "paperless-ngx",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        ns="home",
        node="k3s1",
        env=[
            {
                "name": "PAPERLESS_SECRET_KEY",
                "valueFrom": {"secretKeyRef": {"name": "paperless-secret", "key": "PAPERLESS_SECRET_KEY"}},
            }
        ],
    )


def app_added_before_its_secret(
    g: Lab,
    name: str,
    image: str,
    port: int,
    secret: str,
    env: list[dict[str, Any]],
    *,
    added: str,
    last: str,
    count: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Deployment in home (k3s2) added at ``added`` whose ``env`` reads the Secret ``secret``, which was never
    written: its pod, created a minute later, waits in CreateContainerConfigError. Returns the Deployment and pod."""
    since = plus(added, minutes=1)
    dep = app(
        g,
        name,
        image,
        port,
        ns="home",
        node="k3s2",
        env=env,
        pods=[{"node": "k3s2", "mode": "creating", "created": since}],
    )
    dep["metadata"]["creationTimestamp"] = added
    pod = the_pod(g, "home", f"{name}-")
    config_error(
        g,
        pod,
        f'secret "{secret}" not found',
        since=since,
        first=plus(since, seconds=4),
        last=last,
        count=count,
    )
    return dep, pod


def apps_automation_waits(g: Lab, at: str, *, created: str, last: str, count: int) -> dict[str, Any]:
    """The apps-automation Kustomization, which dependsOn apps-home, waiting on it since a minute after ``at``."""
    wait = "dependency 'flux-system/apps-home' is not ready"
    ks = apps_kustomization(
        g,
        "automation",
        created=created,
        applied=plus(at, minutes=1),
        depends=["apps-home"],
        ready=("False", "DependencyNotReady", wait),
        last_applied=p.GIT_REV_OLD,
    )
    dependency_not_ready(g, ks, wait, first=plus(at, minutes=1), last=last, count=count)
    return ks


def init_crash(g: Lab, pod: dict[str, Any], init: str, message: str, restarts: int, since: str) -> None:
    st = pod["status"]
    for cs in st["initContainerStatuses"]:
        if cs["name"] != init:
            continue
        fin = g.ago(seconds=20 + restarts % 200)
        cs.update(
            {
                "containerID": f"containerd://{g.hexs(64)}",
                "imageID": cs["image"].rsplit(":", 1)[0] + "@sha256:" + g.hexs(64),
                "lastState": {
                    "terminated": {
                        "containerID": f"containerd://{g.hexs(64)}",
                        "exitCode": 1,
                        "finishedAt": fin,
                        "message": message,
                        "reason": "Error",
                        "startedAt": plus(fin, seconds=-31),
                    }
                },
                "ready": False,
                "restartCount": restarts,
                "started": False,
                "state": {
                    "waiting": {
                        "message": f"back-off 5m0s restarting failed container={init} "
                        f"pod={pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
                        "reason": "CrashLoopBackOff",
                    }
                },
            }
        )
    for cs in st["containerStatuses"]:
        cs["state"] = {"waiting": {"reason": "PodInitializing"}}
    for cond in st["conditions"]:
        if cond["type"] == "PodReadyToStartContainers":
            cond["status"] = "True"
    if "podIP" not in st:
        ip = g.pod_ip(pod["spec"]["nodeName"])
        st["podIP"] = ip
        st["podIPs"] = [{"ip": ip}]
    backoff_event(g, pod, init, restarts * 4, since)


def csi_plugin_crash_one_node() -> tuple[Lab, Expected]:
    since = g_ago(hours=7, minutes=41)
    msg = (
        'time="2025-06-16T02:58:31Z" level=fatal msg="Error starting CSI manager: failed to start node server: listen '
        'unix /csi/csi.sock: bind: address already in use" func=main.main file="main.go:97"'
    )
    g = lab(
        "csi-plugin-crash-one-node",
        csi_missing={"k3s2"},
        lh_csi={
            "k3s2": {
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, seconds=-40),
                "crash": {"longhorn-csi-plugin": crash(Lab("clock", NOW), msg, 92)},
            }
        },
    )
    plugin = the_pod(g, "longhorn-system", "longhorn-csi-plugin-", "k3s2")
    backoff_event(g, plugin, "longhorn-csi-plugin", 1840, since)
    pods = []
    for name, port in (("sonarr", 8989), ("radarr", 7878)):
        dep = s.media_app(
            g,
            name,
            "k3s2",
            port,
            pods=[{"node": "k3s2", "mode": "creating", "created": plus(since, minutes=3)}],
        )
        pod = the_pod(g, "media", f"{name}-")
        ev(
            g,
            pod,
            "FailedMount",
            f'MountVolume.MountDevice failed for volume "{dep["_pvc"]["spec"]["volumeName"]}" : '
            "kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name driver.longhorn.io not "
            "found in the list of registered CSI drivers",
            first=plus(since, minutes=4),
            last=g.ago(minutes=1),
            count=212,
        )
        pods.append(pod)
    s.media_app(g, "prowlarr", "k3s3", 9696)
    return g, expected(
        "After an unclean reboot of k3s2 the Longhorn CSI node plugin there crash-loops on a stale socket, so "
        "driver.longhorn.io is not registered on k3s2 (CSINode lacks it) and the pods scheduled there cannot mount "
        "their volumes. The node itself is Ready and the other nodes mount fine: the failing plugin DaemonSet is the "
        "cause, not the node.",
        [
            "https://github.com/longhorn/longhorn/issues/9424",
            "https://github.com/longhorn/longhorn/issues/3172",
        ],
        [
            cause(
                ref("DaemonSet", "longhorn-system", "longhorn-csi-plugin"),
                "workload",
                sym(plugin, "csi-driver-pods-failing", "pod-crashloop"),
                sym(ref("Node", None, "k3s2"), "csi-driver-not-registered"),
                [x for pod in pods for x in sym(pod, "failed-mount-events", "pod-pending")],
                [
                    x
                    for n in ("sonarr", "radarr")
                    for x in sym(dep_ref("media", n), "workload-replicas-unavailable")
                ],
                route_down("media", "sonarr", "radarr"),
            )
        ],
    )


def velero_b2_unreachable() -> tuple[Lab, Expected]:
    g = lab("velero-b2-unreachable")
    bsl = velero_b2_unavailable(
        g,
        failed_nights=2,
        message='BackupStorageLocation "b2" is unavailable: rpc error: code = Unknown desc = RequestError: '
        'send request failed\ncaused by: Get "https://s3.us-west-004.backblazeb2.com/fletcherlabs-velero?'
        'delimiter=%2F&list-type=2&prefix=k3s-home%2F": dial tcp 149.137.136.19:443: i/o timeout',
        validated=g.ago(seconds=24),
    )
    return g, expected(
        "The offsite Backblaze B2 endpoint (s3.us-west-004.backblazeb2.com) stopped answering from the homelab (ISP routing "
        "incident): Velero marks location b2 Unavailable and the daily-critical schedule fails validation two days in a "
        "row, while the local MinIO location keeps working. The cause is the external S3 host.",
        [
            "https://github.com/velero-io/velero/issues/2105",
            "https://github.com/velero-io/velero/issues/8635",
        ],
        [
            cause(
                host("s3.us-west-004.backblazeb2.com"),
                "backup",
                sym(bsl, "velero-bsl-unavailable"),
                sym(ref("Schedule", "velero", "daily-critical"), "velero-backup-failed-or-stale"),
            )
        ],
    )


def gpu_device_plugin_nvml() -> tuple[Lab, Expected]:
    g = lab("gpu-device-plugin-nvml")
    s.gpu_apps(g, skip=("automatic1111", "plex"))
    since = g.ago(hours=11, minutes=5)
    msg = (
        "I0616 02:58:33.012345       1 main.go:317] Retrieving plugins.\n"
        "E0616 02:58:33.013012       1 factory.go:68] Failed to initialize NVML: could not load NVML library.\n"
        "E0616 02:58:33.013020       1 factory.go:69] If this is a GPU node, did you set the docker default runtime to `nvidia`?\n"
        "E0616 02:58:33.013101       1 main.go:132] error starting plugins: error creating plugin manager: unable to create "
        "plugin manager: invalid device discovery strategy"
    )
    plugin = the_pod(g, "kube-system", "nvidia-device-plugin-")
    crashify(g, plugin, "nvidia-device-plugin-ctr", msg, 131, since)
    ds = find(g, "DaemonSet", "nvidia-device-plugin", "kube-system")
    workload_down(ds, since)
    g.nodes["k3s3"]["status"]["allocatable"]["nvidia.com/gpu"] = "0"
    pend = the_pod(g, "ai", "comfyui-")
    return g, expected(
        "An unattended driver upgrade on k3s3 left the NVIDIA device plugin unable to load NVML: it crash-loops, the "
        "node advertises 0 allocatable nvidia.com/gpu, and the new ComfyUI pod is Pending on 'Insufficient "
        "nvidia.com/gpu' although the T4 has free slices. The device plugin DaemonSet is the cause, not GPU saturation.",
        [
            "https://github.com/NVIDIA/k8s-device-plugin/issues/1011",
            "https://github.com/k3s-io/k3s/issues/4070",
        ],
        [
            cause(
                ds,
                "gpu",
                sym(ds, "gpu-plugin-failing"),
                sym(plugin, "pod-crashloop"),
                sym(pend, "gpu-insufficient"),
                sym(dep_ref("ai", "comfyui"), "workload-replicas-unavailable"),
            )
        ],
    )


def helmrelease_chart_version_missing() -> tuple[Lab, Expected]:
    g = lab("helmrelease-chart-version-missing")
    flux_base(g, {"fluent": "https://fluent.github.io/helm-charts"})
    at = g.ago(hours=2, minutes=12)
    why = (
        "invalid chart reference: failed to get chart version for remote reference: no 'fluent-bit' chart with version "
        "matching '0.49.1' found"
    )
    hr = g.helm_release(
        "fluent-bit",
        "monitoring",
        "fluent-bit",
        "0.49.1",
        "fluent",
        created=plus(CLUSTER_BORN, days=20),
        ks="monitoring",
        at=at,
        ready=(
            "False",
            "ArtifactFailed",
            f"HelmChart 'flux-system/monitoring-fluent-bit' is not ready: {why}",
        ),
    )
    g.cr(
        "flux.yaml",
        "source.toolkit.fluxcd.io/v1",
        "HelmChart",
        "monitoring-fluent-bit",
        FLUX_NS,
        created=plus(CLUSTER_BORN, days=20),
        finalizers=["finalizers.fluxcd.io"],
        generation=3,
        labels={
            "helm.toolkit.fluxcd.io/name": "fluent-bit",
            "helm.toolkit.fluxcd.io/namespace": "monitoring",
        },
        spec={
            "chart": "fluent-bit",
            "interval": "1m0s",
            "reconcileStrategy": "ChartVersion",
            "sourceRef": {"kind": "HelmRepository", "name": "fluent"},
            "version": "0.49.1",
        },
        status={
            "conditions": [
                Lab.cond("Ready", "False", "InvalidChartReference", why, at, gen=3),
                Lab.cond("FetchFailed", "True", "InvalidChartReference", why, at, gen=3),
            ],
            "observedChartName": "fluent-bit",
            "observedGeneration": 3,
            "observedSourceArtifactRevision": f"sha256:{g.hexs(64)}",
        },
    )
    ev(
        g,
        hr,
        "ArtifactFailed",
        f"HelmChart 'flux-system/monitoring-fluent-bit' is not ready: {why}",
        first=at,
        last=g.ago(minutes=4),
        count=30,
        component="helm-controller",
        host="",
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Renovate bumped the fluent-bit HelmRelease to chart 0.49.1, which was never published to the chart repository: "
        "the HelmChart cannot resolve the version and the release stays on the old chart, not Ready. The HelmRelease "
        "that names the missing version is the cause.",
        ["https://github.com/fluent/helm-charts/issues/158", "https://github.com/bitnami/charts/issues/2791"],
        [cause(hr, "platform", sym(hr, "flux-not-ready"))],
    )


def kustomization_path_broken_chain() -> tuple[Lab, Expected]:
    g = lab("kustomization-path-broken-chain")
    flux_base(g)
    at = g.ago(hours=1, minutes=22)
    infra = find(g, "Kustomization", "infrastructure")
    tmp = "/tmp/kustomization-3129912390/clusters/k3s-home/infrastructure/cert-manager"
    msg = (
        "kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'cert-manager': "
        f"open {tmp}: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on "
        f"'{tmp}' : lstat {tmp}: no such file or directory"
    )
    infra["status"]["conditions"] = [Lab.cond("Ready", "False", "BuildFailed", msg, at)]
    infra["status"]["lastAttemptedRevision"] = f"main@sha1:{p.GIT_REV}"
    infra["status"]["lastAppliedRevision"] = f"main@sha1:{p.GIT_REV_OLD}"
    ev(
        g,
        infra,
        "BuildFailed",
        msg,
        first=at,
        last=g.ago(minutes=6),
        count=15,
        component="kustomize-controller",
        host="",
    )
    ks1 = g.kustomization(
        "infra-configs",
        "./clusters/k3s-home/infra-configs",
        created=plus(CLUSTER_BORN, minutes=43),
        revision=p.GIT_REV,
        applied=at,
        depends=["infrastructure"],
        last_applied=p.GIT_REV_OLD,
        ready=("False", "DependencyNotReady", "dependency 'flux-system/infrastructure' is not ready"),
    )
    ks2 = apps_kustomization(
        g,
        "media",
        created=plus(CLUSTER_BORN, days=3),
        applied=at,
        depends=["infra-configs"],
        last_applied=p.GIT_REV_OLD,
        ready=("False", "DependencyNotReady", "dependency 'flux-system/infra-configs' is not ready"),
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A commit moved the cert-manager directory without updating infrastructure/kustomization.yaml: the infrastructure "
        "Kustomization fails to build, infra-configs waits on it and apps-media waits on infra-configs, so nothing "
        "pushed since is applied. The broken infrastructure Kustomization is the cause of the whole chain.",
        [
            "https://github.com/fluxcd/flux2/issues/1193",
            "https://github.com/fluxcd/flux2-kustomize-helm-example/issues/105",
        ],
        [
            cause(
                infra,
                "platform",
                sym(infra, "flux-not-ready"),
                sym(ks1, "flux-not-ready"),
                sym(ks2, "flux-not-ready"),
            )
        ],
    )


def image_tag_not_found() -> tuple[Lab, Expected]:
    g = lab("image-tag-not-found")
    since = g.ago(minutes=55)
    image = "ghcr.io/goauthentik/server:2025.6.9"
    app(
        g,
        "authentik-server",
        image,
        9000,
        ns="authentik",
        node="k3s1",
        strategy={"type": "Recreate"},
        args=["server"],
        pods=[{"node": "k3s1", "mode": "creating", "created": since}],
    )
    pod = the_pod(g, "authentik", "authentik-server-")
    pull_failure(
        g,
        pod,
        image,
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{image}": failed to '
        f'resolve reference "{image}": {image}: not found',
        since,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The authentik Deployment was bumped to tag 2025.6.9, which does not exist on ghcr.io (the release was 2025.6.3): "
        "the pull fails with 'not found' and Authentik - and every login behind it - is down. The registry works; the "
        "Deployment naming a missing tag is the cause.",
        [
            "https://github.com/goauthentik/authentik/issues/15277",
            "https://github.com/albertodonato/query-exporter/issues/362",
        ],
        [
            cause(
                dep_ref("authentik", "authentik-server"),
                "workload",
                sym(pod, "pod-image-pull"),
                sym(dep_ref("authentik", "authentik-server"), "workload-replicas-unavailable"),
                route_down("authentik", "authentik-server"),
            )
        ],
    )


def init_waits_for_crashing_db() -> tuple[Lab, Expected]:
    g = lab("init-waits-for-crashing-db")
    since = g.ago(hours=3, minutes=17)
    pg_msg = (
        "postgresql 02:58:12.43 INFO  ==> ** Starting PostgreSQL **\n2025-06-16 02:58:12.471 GMT [1] FATAL:  data "
        'directory "/bitnami/postgresql/data" has invalid permissions\n2025-06-16 02:58:12.471 GMT [1] DETAIL:  '
        "Permissions should be u=rwx (0700) or u=rwx,g=rx (0750)."
    )
    sel = {
        "app.kubernetes.io/component": "primary",
        "app.kubernetes.io/instance": "flagsmith",
        "app.kubernetes.io/name": "postgresql",
    }
    g.statefulset(
        "apps-flagsmith.yaml",
        "flagsmith",
        "flagsmith-postgresql",
        created=plus(CLUSTER_BORN, days=6),
        selector=sel,
        ks="apps-flagsmith",
        service_name="flagsmith-postgresql-hl",
        spec={
            "containers": [
                {
                    "name": "postgresql",
                    "image": "docker.io/bitnami/postgresql:16.3.0-debian-12-r14",
                    "ports": [{"containerPort": 5432, "name": "tcp-postgresql"}],
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                }
            ]
        },
        pods=[
            {
                "node": "k3s3",
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, seconds=-20),
                "crash": {"postgresql": crash(g, pg_msg, 41)},
            }
        ],
    )
    pg = the_pod(g, "flagsmith", "flagsmith-postgresql-")
    backoff_event(g, pg, "postgresql", 890, since)
    pg_svc = g.service(
        "apps-flagsmith.yaml",
        "flagsmith",
        "flagsmith-postgresql",
        selector=sel,
        created=plus(CLUSTER_BORN, days=6),
        ks="apps-flagsmith",
        labels=sel,
        ports=[{"name": "tcp-postgresql", "port": 5432, "targetPort": "tcp-postgresql"}],
    )
    wait = (
        "wait-for-it.sh: waiting 30 seconds for flagsmith-postgresql.flagsmith.svc.cluster.local:5432\n"
        "wait-for-it.sh: timeout occurred after waiting 30 seconds for flagsmith-postgresql.flagsmith.svc.cluster.local:5432"
    )
    dep = app(
        g,
        "flagsmith-api",
        "docker.io/flagsmith/flagsmith-api:2.170.0",
        8000,
        ns="flagsmith",
        node="k3s1",
        pods=[{"node": "k3s1", "mode": "creating", "created": plus(since, minutes=2)}],
    )
    tpl = dep["spec"]["template"]["spec"]
    init_c = {
        "name": "wait-for-db",
        "image": "docker.io/willwill/wait-for-it:latest",
        "args": ["flagsmith-postgresql.flagsmith.svc.cluster.local:5432", "-t", "30"],
        "imagePullPolicy": "Always",
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    tpl["initContainers"] = [init_c]
    dep["_rs"]["spec"]["template"]["spec"]["initContainers"] = [copy.deepcopy(init_c)]
    api = the_pod(g, "flagsmith", "flagsmith-api-")
    api["spec"]["initContainers"] = [copy.deepcopy(init_c)]
    api["status"]["initContainerStatuses"] = [
        {
            "image": "docker.io/willwill/wait-for-it:latest",
            "imageID": "",
            "lastState": {},
            "name": "wait-for-db",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {"waiting": {"reason": "PodInitializing"}},
        }
    ]
    unready(api, ["wait-for-db"], plus(since, minutes=2), init=True)
    init_crash(g, api, "wait-for-db", wait, 38, plus(since, minutes=2))
    return g, expected(
        "Flagsmith's PostgreSQL (bitnami StatefulSet) crash-loops on 'data directory has invalid permissions' after its "
        "volume was restored with the wrong owner; its Service has no endpoint, so the API's wait-for-db init container "
        "times out on flagsmith-postgresql.flagsmith.svc:5432 forever. The database StatefulSet is the cause; the API "
        "is its symptom.",
        [
            "https://github.com/Flagsmith/flagsmith-charts/issues/32",
            "https://github.com/backstage/backstage/issues/2892",
        ],
        [
            cause(
                ref("StatefulSet", "flagsmith", "flagsmith-postgresql"),
                "workload",
                sym(pg, "pod-crashloop"),
                sym(pg_svc, "service-no-ready-endpoints"),
                sym(api, "pod-crashloop"),
                sym(dep_ref("flagsmith", "flagsmith-api"), "workload-replicas-unavailable"),
                route_down("flagsmith", "flagsmith-api"),
            )
        ],
    )


def liveness_probe_slow_start() -> tuple[Lab, Expected]:
    g = lab("liveness-probe-slow-start")
    since = g.ago(hours=2, minutes=45)
    dep = app(
        g,
        "lakefs",
        "docker.io/treeverse/lakefs:1.56.0",
        8000,
        ns="data",
        node="k3s2",
        pods=[
            {
                "node": "k3s2",
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, seconds=-10),
                "crash": {"lakefs": crash(g, "", 47, exit_code=2, ran=33)},
            }
        ],
    )
    probe = {
        "failureThreshold": 3,
        "httpGet": {"path": "/_health", "port": "http", "scheme": "HTTP"},
        "initialDelaySeconds": 5,
        "periodSeconds": 10,
        "successThreshold": 1,
        "timeoutSeconds": 1,
    }
    pod = the_pod(g, "data", "lakefs-")
    for spec in (dep["spec"]["template"]["spec"], dep["_rs"]["spec"]["template"]["spec"], pod["spec"]):
        spec["containers"][0]["livenessProbe"] = copy.deepcopy(probe)
        spec["containers"][0] = dict(sorted(spec["containers"][0].items()))
    pod["status"]["containerStatuses"][0]["lastState"]["terminated"].pop("message", None)
    ip = pod["status"]["podIP"]
    ev(
        g,
        pod,
        "Unhealthy",
        f'Liveness probe failed: Get "http://{ip}:8000/_health": dial tcp {ip}:8000: connect: '
        "connection refused",
        first=plus(since, seconds=15),
        last=g.ago(minutes=3),
        count=141,
        container="lakefs",
    )
    ev(
        g,
        pod,
        "Killing",
        "Container lakefs failed liveness probe, will be restarted",
        first=plus(since, seconds=35),
        last=g.ago(minutes=3),
        count=47,
        container="lakefs",
        type_="Normal",
    )
    backoff_event(g, pod, "lakefs", 512, since)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "lakeFS needs ~40 s to migrate and start, but its liveness probe starts after 5 s and allows 3 failures 10 s "
        "apart: the kubelet kills it before it ever listens ('failed liveness probe, will be restarted'), forever. The "
        "Deployment's probe is the cause.",
        [
            "https://github.com/treeverse/charts/issues/143",
            "https://github.com/kubernetes/kubernetes/issues/62594",
        ],
        [
            cause(
                dep_ref("data", "lakefs"),
                "workload",
                sym(pod, "pod-crashloop"),
                sym(dep_ref("data", "lakefs"), "workload-replicas-unavailable"),
                route_down("data", "lakefs"),
            )
        ],
    )


def helmrelease_values_secret_missing() -> tuple[Lab, Expected]:
    g = lab("helmrelease-values-secret-missing")
    flux_base(g, {"grafana": "https://grafana.github.io/helm-charts"})
    at = g.ago(minutes=31)
    hr = g.helm_release(
        "grafana",
        "monitoring",
        "grafana",
        "8.15.0",
        "grafana",
        created=plus(CLUSTER_BORN, days=20),
        ks="monitoring",
        at=at,
        values_from=[{"kind": "Secret", "name": "grafana-admin", "valuesKey": "values.yaml"}],
        ready=(
            "False",
            "InitFailed",
            "could not resolve Secret chart values reference "
            "'monitoring/grafana-admin' with key 'values.yaml': secrets \"grafana-admin\" not found",
        ),
    )
    ev(
        g,
        hr,
        "InitFailed",
        "could not resolve Secret chart values reference 'monitoring/grafana-admin' with key "
        "'values.yaml': secrets \"grafana-admin\" not found",
        first=at,
        last=g.ago(minutes=1),
        count=12,
        component="helm-controller",
        host="",
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The grafana HelmRelease takes its admin values from Secret 'grafana-admin', which was moved to another namespace "
        "in a refactor: 'could not resolve Secret chart values reference ... not found'. The HelmRelease holding the "
        "reference is the cause.",
        ["https://github.com/fluxcd/flux2/issues/3314", "https://github.com/fluxcd/helm-operator/issues/261"],
        [cause(hr, "platform", sym(hr, "helmrelease-missing-values-ref", "flux-not-ready"))],
    )


def gateway_cert_ref_not_permitted() -> tuple[Lab, Expected]:
    g = lab("gateway-cert-ref-not-permitted")
    s.tls_setup(g, wildcard_ok=True)
    p.certificate(
        g,
        "cert-manager",
        "home-wildcard",
        ["*.home.fletcherlabs.net"],
        created=g.ago(days=2),
        secret="home-wildcard-tls",
        state="ready",
        not_after=plus(NOW, days=88),
    )
    gw = p.gateway(
        g,
        https_ok=True,
        routes=2,
        extra_listeners=[("https-home", "*.home.fletcherlabs.net", "home-wildcard-tls")],
    )
    gw["metadata"]["generation"] = 2
    at = g.ago(hours=1, minutes=9)
    for lis in gw["spec"]["listeners"]:
        if lis["name"] == "https-home":
            lis["tls"]["certificateRefs"][0]["namespace"] = "cert-manager"
    for lst in gw["status"]["listeners"]:
        if lst["name"] == "https-home":
            lst["attachedRoutes"] = 0
            lst["conditions"] = [
                Lab.cond("Programmed", "False", "Invalid", "Invalid CertificateRef", at, gen=2),
                Lab.cond("Accepted", "True", "Accepted", "Listener Accepted", at, gen=2),
                Lab.cond(
                    "ResolvedRefs",
                    "False",
                    "RefNotPermitted",
                    "CertificateRef to Secret cert-manager/home-wildcard-tls not permitted by any ReferenceGrant",
                    at,
                    gen=2,
                ),
            ]
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A new HTTPS listener for *.home.fletcherlabs.net references the certificate Secret in the cert-manager namespace "
        "without a ReferenceGrant: the listener is not programmed (RefNotPermitted) while the certificate itself is fine. "
        "The Gateway's listener configuration is the cause.",
        [
            "https://github.com/kubernetes-sigs/gateway-api/issues/1297",
            "https://github.com/cert-manager/cert-manager/pull/5613",
        ],
        [cause(gw, "platform", sym(gw, "gateway-not-accepted"))],
    )


def nfs_csi_driver_missing() -> tuple[Lab, Expected]:
    g = lab("nfs-csi-driver-missing")
    g.storageclass(
        "nfs",
        "nfs.csi.k8s.io",
        {"server": "192.168.10.100", "share": "/mnt/nvme_storage"},
        created=plus(CLUSTER_BORN, days=1),
        reclaim="Retain",
        ks="infrastructure",
        mount_options=["nfsvers=4.1", "hard", "noatime"],
    )
    since = g.ago(hours=4, minutes=2)
    pods = []
    for name, image, port, node in (
        ("immich-server", "ghcr.io/immich-app/immich-server:v1.135.3", 2283, "k3s3"),
        ("paperless", "ghcr.io/paperless-ngx/paperless-ngx:2.16.3", 8000, "k3s1"),
    ):
        dep = app(
            g,
            name,
            image,
            port,
            node=node,
            pvc=(f"{name}-data", "200Gi", "nfs"),
            pods=[{"node": node, "mode": "creating", "created": plus(since, minutes=1)}],
        )
        pv = dep["_pvc"]["spec"]["volumeName"]
        pod = the_pod(g, "media", f"{name}-")
        ev(
            g,
            pod,
            "FailedMount",
            f'MountVolume.SetUp failed for volume "{pv}" : kubernetes.io/csi: mounter.SetUpAt failed to '
            "get CSI client: driver name nfs.csi.k8s.io not found in the list of registered CSI drivers",
            first=plus(since, minutes=2),
            last=g.ago(minutes=2),
            count=121,
        )
        pods.append((pod, name))
    return g, expected(
        "The csi-driver-nfs HelmRelease was deleted from Git in a cleanup, removing the NFS CSI node plugin everywhere, "
        "while StorageClass 'nfs' (in another kustomization) and its volumes remained: pods using NFS volumes cannot mount "
        "('driver name nfs.csi.k8s.io not found in the list of registered CSI drivers') on any node. The StorageClass "
        "that names a driver nothing provides is the cause.",
        [
            "https://github.com/kubernetes-csi/csi-driver-nfs/issues/918",
            "https://github.com/democratic-csi/democratic-csi/issues/211",
        ],
        [
            cause(
                ref("StorageClass", None, "nfs"),
                "storage",
                sym(ref("StorageClass", None, "nfs"), "csi-driver-not-registered"),
                [x for pod, _ in pods for x in sym(pod, "failed-mount-events", "pod-pending")],
                [x for _, n in pods for x in sym(dep_ref("media", n), "workload-replicas-unavailable")],
                [x for _, n in pods for x in route_down("media", n)],
            )
        ],
    )


def prometheus_bad_config() -> tuple[Lab, Expected]:
    g = lab("prometheus-bad-config")
    since = g.ago(hours=1, minutes=12)
    msg = (
        'ts=2025-06-16T02:58:03.611Z caller=main.go:536 level=error msg="Error loading config '
        '(--config.file=/etc/config/prometheus.yml)" file=/etc/config/prometheus.yml err="parsing YAML file '
        '/etc/config/prometheus.yml: yaml: line 160: mapping values are not allowed in this context"'
    )
    sel = {
        "app.kubernetes.io/component": "server",
        "app.kubernetes.io/instance": "prometheus",
        "app.kubernetes.io/name": "prometheus",
    }
    g.deployment(
        "monitoring.yaml",
        "monitoring",
        "prometheus-server",
        created=plus(CLUSTER_BORN, days=20),
        selector=sel,
        helm=("prometheus", "monitoring"),
        sa="prometheus-server",
        strategy={"type": "Recreate"},
        spec={
            "containers": [
                {
                    "name": "prometheus-server-configmap-reload",
                    "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.83.0",
                    "args": [
                        "--watched-dir=/etc/config",
                        "--listen-address=0.0.0.0:8080",
                        "--reload-url=http://127.0.0.1:9090/-/reload",
                    ],
                },
                {
                    "name": "prometheus-server",
                    "image": "quay.io/prometheus/prometheus:v3.4.1",
                    "args": [
                        "--storage.tsdb.retention.time=15d",
                        "--config.file=/etc/config/prometheus.yml",
                        "--storage.tsdb.path=/data",
                        "--web.enable-lifecycle",
                    ],
                    "ports": [{"containerPort": 9090, "name": "http"}],
                    "readinessProbe": {"httpGet": {"path": "/-/ready", "port": 9090}},
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                },
            ]
        },
        pods=[
            {
                "node": "k3s3",
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, seconds=-5),
                "unready": ["prometheus-server"],
                "crash": {"prometheus-server": crash(g, msg, 19)},
            }
        ],
        progress_since=since,
    )
    pod = the_pod(g, "monitoring", "prometheus-server-")
    backoff_event(g, pod, "prometheus-server", 310, since)
    g.service(
        "monitoring.yaml",
        "monitoring",
        "prometheus-server",
        selector=sel,
        created=plus(CLUSTER_BORN, days=20),
        helm=("prometheus", "monitoring"),
        labels=sel,
        ports=[{"name": "http", "port": 80, "targetPort": 9090}],
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A scrape job added to the prometheus chart values broke the YAML indentation: Prometheus exits at start with "
        "'parsing YAML file /etc/config/prometheus.yml: ... mapping values are not allowed in this context' and "
        "crash-loops; the cluster records no metrics. The Deployment's configuration is the cause.",
        [
            "https://github.com/prometheus/prometheus/issues/4129",
            "https://github.com/helm/charts/issues/5423",
            "https://github.com/prometheus-community/helm-charts/issues/3409",
        ],
        [
            cause(
                dep_ref("monitoring", "prometheus-server"),
                "workload",
                sym(pod, "pod-crashloop"),
                sym(dep_ref("monitoring", "prometheus-server"), "workload-replicas-unavailable"),
            )
        ],
    )


def velero_vsl_conflict() -> tuple[Lab, Expected]:
    g = lab("velero-vsl-conflict")
    fail = "provider aws has more than one possible volume snapshot location, and none were specified explicitly or as a default"
    schedules = {
        **s.VELERO_SCHEDULES,
        "nightly-volumes": (
            "30 3 * * *",
            "default",
            {"includedNamespaces": ["media"], "snapshotVolumes": True, "ttl": "168h0m0s"},
        ),
    }
    p.velero(
        g,
        minio_ok=True,
        vsl_conflict=True,
        schedules=schedules,
        backups=[
            ("hourly-longhorn", "2025-06-16T02:00:12Z", "Completed", {}),
            ("daily-critical", "2025-06-16T02:00:31Z", "Completed", {}),
            ("nightly-volumes", "2025-06-14T03:30:02Z", "FailedValidation", {"validationErrors": [fail]}),
            ("nightly-volumes", "2025-06-15T03:30:02Z", "FailedValidation", {"validationErrors": [fail]}),
        ],
    )
    return g, expected(
        "A second VolumeSnapshotLocation for provider aws (b2-snapshots) was added next to the chart's 'default' one, "
        "with no default chosen on the velero server: every backup that snapshots volumes fails validation ('provider "
        "aws has more than one possible volume snapshot location'). The added location is the cause.",
        [
            "https://github.com/vmware-tanzu/helm-charts/issues/440",
            "https://github.com/velero-io/velero/issues/2549",
        ],
        [
            cause(
                ref("VolumeSnapshotLocation", "velero", "b2-snapshots"),
                "backup",
                sym(ref("Schedule", "velero", "nightly-volumes"), "velero-backup-failed-or-stale"),
            )
        ],
    )


def healthy_k3s_support_bundle() -> tuple[Lab, Expected]:
    """A small stock K3s cluster as a support bundle shows it: flannel, Traefik + ServiceLB, local-path; all Ready."""
    g = Lab("scenario-healthy-k3s-support-bundle", NOW)
    born = "2025-04-02T09:14:51Z"
    for i, name in enumerate(("k3s-server", "k3s-agent-1", "k3s-agent-2")):
        n = g.node(
            name,
            f"192.168.1.{50 + i}",
            f"10.42.{i}.0/24",
            created=plus(born, minutes=3 * i),
            control_plane=i == 0,
            kubelet="v1.31.6+k3s1",
            csi_drivers=[],
            cpu="4",
            mem_ki=8_025_412,
            kernel="6.8.0-60-generic",
            ready_since=plus(born, minutes=3 * i, seconds=40),
            node_args=["server"] if i == 0 else ["agent"],
        )
        n["status"]["conditions"] = [
            c_ for c_ in n["status"]["conditions"] if c_["type"] != "NetworkUnavailable"
        ]
        n["metadata"]["annotations"]["flannel.alpha.coreos.com/backend-type"] = "vxlan"
        n["metadata"]["annotations"]["flannel.alpha.coreos.com/public-ip"] = f"192.168.1.{50 + i}"
        n["status"]["nodeInfo"]["osImage"] = "Ubuntu 24.04.2 LTS"
        g.csinode(name, [])
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        g.namespace(ns, born)
    kube_system(g, traefik=True, node="k3s-server", nodes=["k3s-server", "k3s-agent-1", "k3s-agent-2"])
    g.storageclass(
        "local-path",
        "rancher.io/local-path",
        {},
        created=born,
        default=True,
        binding="WaitForFirstConsumer",
        expand=False,
        annotations={"defaultVolumeType": "local"},
    )
    for o in g.all_objects():
        if o["kind"] in ("Deployment", "ReplicaSet", "Pod", "DaemonSet", "Job", "Service", "ConfigMap"):
            o["metadata"]["creationTimestamp"] = max(o["metadata"]["creationTimestamp"], born)
    return g, expected(
        "A healthy three-node K3s v1.31 cluster straight from the installer, as a support bundle captures it: CoreDNS, "
        "local-path-provisioner, metrics-server, Traefik with its svclb DaemonSet on every node, the helm-install jobs "
        "Completed. Nothing is broken: no root cause, no critical finding.",
        ["https://github.com/k3s-io/k3s/issues/4070", "https://github.com/k3s-io/k3s/issues/5131"],
        [],
    )


# ------------------------------------------------------------------------------------------ holdout set
# Written last, after the tuned set; run once. Nobody tunes on these.
def kubelet_cert_expired() -> tuple[Lab, Expected]:
    since = g_ago(hours=9, minutes=12)
    evict = plus(since, seconds=341)
    g = lab(
        "kubelet-cert-expired",
        down={"k3s3": {"since": since}},
        agent={"k3s3": s.frozen("k3s3", since)},
        lh_mgr={"k3s3": s.frozen("k3s3", since)},
        lh_csi={"k3s3": s.frozen("k3s3", since)},
    )
    res = {"limits": {"memory": "16Gi"}, "requests": {"cpu": "1", "memory": "4Gi"}}
    msg = (
        "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 node(s) didn't "
        "match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    )
    for ns, name, image, port in (
        ("media", "jellyfin", "docker.io/jellyfin/jellyfin:10.10.7", 8096),
        ("ai", "ollama", "docker.io/ollama/ollama:0.9.0", 11434),
    ):
        g.app(
            ns,
            name,
            image,
            port,
            node="k3s3",
            created=plus(CLUSTER_BORN, days=9),
            ks=f"apps-{ns}",
            gpu=1,
            node_selector=p.GPU_SELECTOR,
            resources=res,
            route=False,
            replicas=1,
            pods=[
                s.frozen("k3s3", since, deletion=plus(evict, seconds=30), created="2025-06-10T12:00:41Z"),
                unschedulable(plus(evict, seconds=1), msg),
            ],
        )
        pend = next(x for x in pods_of(g, ns, f"{name}-") if not x["spec"].get("nodeName"))
        g.series_event(
            EV,
            pend,
            reason="FailedScheduling",
            message=msg,
            first=plus(evict, seconds=1),
            last=g.ago(minutes=5),
            count=97,
        )
    p.nvidia_device_plugin(g, plan=s.frozen("k3s3", since))
    g.event(
        EV,
        g.nodes["k3s3"],
        reason="NodeNotReady",
        message="Node k3s3 status is now: NodeNotReady",
        type_="Normal",
        first=plus(since, seconds=41),
        last=plus(since, seconds=41),
        component="node-controller",
    )
    pods = {
        n: next(x for x in pods_of(g, ns, f"{n}-") if not x["spec"].get("nodeName"))
        for ns, n in (("media", "jellyfin"), ("ai", "ollama"))
    }
    return g, expected(
        "k3s3 (the GPU node) ran an old K3s whose kubelet client certificate was not rotated: it expired, the kubelet "
        "can no longer authenticate to the API server and the node has been Unknown for nine hours. Its GPU pods "
        "were evicted and cannot be rescheduled anywhere else (only k3s3 has the GPU). The node is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/78758",
            "https://github.com/k3s-io/k3s/issues/3047",
        ],
        [
            cause(
                ref("Node", None, "k3s3"),
                "node",
                sym(ref("Node", None, "k3s3"), "node-not-ready"),
                [x for pod in pods.values() for x in sym(pod, "pod-pending")],
                sym(dep_ref("media", "jellyfin"), "workload-replicas-unavailable"),
                sym(dep_ref("ai", "ollama"), "workload-replicas-unavailable"),
            )
        ],
        holdout=True,
    )


def statefulset_local_path_dead_node() -> tuple[Lab, Expected]:
    since = g_ago(hours=5, minutes=30)
    g = lab(
        "statefulset-local-path-dead-node",
        down={"k3s1": {"since": since}},
        agent={"k3s1": s.frozen("k3s1", since)},
        lh_mgr={"k3s1": s.frozen("k3s1", since)},
        lh_csi={"k3s1": s.frozen("k3s1", since)},
    )
    force = plus(since, hours=2)
    msg = (
        "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 node(s) had "
        "volume node affinity conflict. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    )
    vct = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"creationTimestamp": None, "name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "8Gi"}},
                "storageClassName": "local-path",
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Pending"},
        }
    ]
    g.statefulset(
        "apps-home.yaml",
        "home",
        "mariadb",
        created=plus(CLUSTER_BORN, days=4),
        ks="apps-home",
        selector={"app.kubernetes.io/name": "mariadb"},
        vcts=vct,
        spec={
            "containers": [
                {
                    "name": "mariadb",
                    "image": "docker.io/library/mariadb:11.4.5",
                    "ports": [{"containerPort": 3306, "name": "mysql"}],
                    "volumeMounts": [{"mountPath": "/var/lib/mysql", "name": "data"}],
                }
            ]
        },
        pods=[unschedulable(force, msg)],
    )
    pod = the_pod(g, "home", "mariadb-")
    pvc = g.pvc(
        "apps-home.yaml",
        "home",
        "data-mariadb-0",
        size="8Gi",
        sc="local-path",
        created=plus(CLUSTER_BORN, days=4),
        provisioner="rancher.io/local-path",
        selected_node="k3s1",
        labels={"app.kubernetes.io/name": "mariadb"},
    )
    g.pv_for(pvc, driver="rancher.io/local-path", local_path_node="k3s1")
    g.series_event(
        EV, pod, reason="FailedScheduling", message=msg, first=force, last=g.ago(minutes=2), count=61
    )
    g.service(
        "apps-home.yaml",
        "home",
        "mariadb",
        selector={"app.kubernetes.io/name": "mariadb"},
        created=plus(CLUSTER_BORN, days=4),
        ks="apps-home",
        ports=[{"name": "mysql", "port": 3306, "targetPort": 3306}],
    )
    app(g, "home-assistant", "ghcr.io/home-assistant/home-assistant:2025.6.1", 8123, ns="home", node="k3s2")
    g.event(
        EV,
        g.nodes["k3s1"],
        reason="NodeNotReady",
        message="Node k3s1 status is now: NodeNotReady",
        type_="Normal",
        first=plus(since, seconds=41),
        last=plus(since, seconds=41),
        component="node-controller",
    )
    return g, expected(
        "k3s1 died (PSU) five and a half hours ago. MariaDB's pod was force-deleted to get it moving, but its local-path "
        "volume lives on k3s1's disk (PV node affinity), so the new mariadb-0 cannot be scheduled anywhere: untolerated "
        "unreachable taint on k3s1, volume node affinity conflict everywhere else. The dead node is the cause.",
        [
            "https://github.com/openebs/openebs/issues/2536",
            "https://github.com/kubernetes/kubernetes/issues/124054",
        ],
        [
            cause(
                ref("Node", None, "k3s1"),
                "node",
                sym(ref("Node", None, "k3s1"), "node-not-ready"),
                sym(pod, "pod-pending"),
                sym(ref("StatefulSet", "home", "mariadb"), "workload-replicas-unavailable"),
            )
        ],
        holdout=True,
    )


def double_dns_and_oom() -> tuple[Lab, Expected]:
    g0 = Lab("probe", NOW)
    since = "2025-06-16T01:12:40Z"
    loop = (
        '[FATAL] plugin/loop: Loop (127.0.0.1:41722 -> :53) detected for zone ".", see '
        'https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 7087784449798295848.7359092265978106814."'
    )
    g = lab(
        "double-dns-and-oom",
        dns_plan={"mode": "crash", "crash_since": since, "crash": {"coredns": crash(g0, loop, 24, ran=4)}},
    )
    dns = the_pod(g, "kube-system", "coredns-")
    backoff_event(g, dns, "coredns", 104, since)
    # an app that resolves a name at start-up fails on DNS
    msg = (
        "Error: getaddrinfo EAI_AGAIN postgres.media.svc.cluster.local\n    at GetAddrInfoReqWrap.onlookupall [as oncomplete] "
        "(node:dns:120:26) {\n  errno: -3001,\n  code: 'EAI_AGAIN',\n  syscall: 'getaddrinfo',\n  hostname: "
        "'postgres.media.svc.cluster.local'\n}"
    )
    app(
        g,
        "overseerr",
        "lscr.io/linuxserver/overseerr:1.34.0",
        5055,
        node="k3s2",
        pods=[
            {
                "node": "k3s2",
                "mode": "crash",
                "crash_since": plus(since, minutes=2),
                "created": plus(since, minutes=1),
                "crash": {"overseerr": crash(g, msg, 20)},
            }
        ],
    )
    ovs = the_pod(g, "media", "overseerr-")
    backoff_event(g, ovs, "overseerr", 96, plus(since, minutes=2))
    oom_since = g.ago(hours=6)
    app(
        g,
        "immich-machine-learning",
        "ghcr.io/immich-app/immich-machine-learning:v1.135.3",
        3003,
        node="k3s3",
        route=False,
        resources={"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}},
        pods=[
            {
                "node": "k3s3",
                "mode": "crash",
                "crash_since": oom_since,
                "created": plus(oom_since, minutes=-2),
                "crash": {
                    "immich-machine-learning": crash(g, "", 88, exit_code=137, reason="OOMKilled", ran=45)
                },
            }
        ],
    )
    ml = the_pod(g, "media", "immich-machine-learning-")
    ml["status"]["containerStatuses"][0]["lastState"]["terminated"].pop("message", None)
    backoff_event(g, ml, "immich-machine-learning", 1180, oom_since)
    return g, expected(
        "Two unrelated incidents. CoreDNS crash-loops on its loop plugin, so Overseerr cannot resolve its database's "
        "Service name at start (EAI_AGAIN) and crash-loops too: its cause is the DNS Deployment. Separately, Immich's "
        "machine-learning container is OOMKilled at every start (512Mi limit): its own Deployment.",
        [
            "https://github.com/coredns/coredns/issues/2391",
            "https://github.com/k3s-io/k3s/issues/9066",
            "https://github.com/operator-framework/operator-sdk-samples/issues/156",
        ],
        [
            cause(
                dep_ref("kube-system", "coredns"),
                "network",
                sym(dep_ref("kube-system", "coredns"), "cluster-dns-unhealthy"),
                sym(dns, "pod-crashloop"),
                sym(ovs, "pod-crashloop"),
                sym(dep_ref("media", "overseerr"), "workload-replicas-unavailable"),
                route_down("media", "overseerr"),
            ),
            cause(
                dep_ref("media", "immich-machine-learning"),
                "workload",
                sym(ml, "pod-crashloop"),
                sym(dep_ref("media", "immich-machine-learning"), "workload-replicas-unavailable"),
            ),
        ],
        holdout=True,
    )


def double_disk_pressure_and_deploy_key() -> tuple[Lab, Expected]:
    since = g_ago(hours=1, minutes=50)
    g = lab("double-disk-pressure-and-deploy-key")
    flux_base(g)
    evict_at = plus(since, seconds=44)
    msg = (
        "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 3 node(s) "
        "had volume node affinity conflict. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    )
    s.media_app(
        g,
        "lidarr",
        "k3s1",
        8686,
        sc="local-path",
        replicas=1,
        pods=[
            {"node": "k3s1", "mode": "failed", "finished": evict_at, "created": "2025-06-11T04:11:09Z"},
            unschedulable(plus(evict_at, seconds=1), msg),
        ],
    )
    old = the_pod(g, "media", "lidarr-", "k3s1")
    emsg = (
        "The node was low on resource: ephemeral-storage. Threshold quantity: 1234234186, available: 1184012Ki. "
        "Container lidarr was using 6211304Ki, which exceeds its request of 0. "
    )
    evicted(old, emsg, evict_at)
    ev(g, old, "Evicted", emsg, first=evict_at)
    pend = next(x for x in pods_of(g, "media", "lidarr-") if not x["spec"].get("nodeName"))
    g.series_event(
        EV,
        pend,
        reason="FailedScheduling",
        message=msg,
        first=plus(evict_at, seconds=1),
        last=g.ago(minutes=3),
        count=33,
    )
    pressure(g, "k3s1", "Disk", since)
    git = find(g, "GitRepository", "flux-system")
    fsince = g.ago(days=1, hours=2)
    fmsg = (
        f"failed to checkout and determine revision: unable to clone '{p.REPO_URL}': ssh: handshake failed: ssh: unable "
        "to authenticate, attempted methods [none publickey], no supported methods remain"
    )
    source_fails(g, git, "GitOperationFailed", fmsg, fsince, last=g.ago(seconds=40), count=1561)
    return g, expected(
        "Two unrelated incidents. k3s1's disk filled (DiskPressure, evictions) and Lidarr, pinned there by its local-path "
        "volume, cannot come back: the node is the cause. Since yesterday the flux-system GitRepository has also been "
        "failing to authenticate (deploy key deleted): the GitRepository is the cause of that one.",
        [
            "https://github.com/kubernetes/kubernetes/issues/91600",
            "https://github.com/fluxcd/flux2/issues/826",
        ],
        [
            cause(
                ref("Node", None, "k3s1"),
                "node",
                sym(ref("Node", None, "k3s1"), "node-pressure"),
                sym(pend, "pod-pending"),
                sym(dep_ref("media", "lidarr"), "workload-replicas-unavailable"),
                route_down("media", "lidarr"),
            ),
            cause(git, "platform", sym(git, "flux-source-failed")),
        ],
        holdout=True,
    )


def helm_repository_forbidden() -> tuple[Lab, Expected]:
    g = lab("helm-repository-forbidden")
    flux_base(g, {"appscode": "https://charts.appscode.com/stable/"})
    hrepo = find(g, "HelmRepository", "appscode")
    at = g.ago(hours=16, minutes=4)
    why = (
        "failed to fetch Helm repository index: failed to cache index to temporary file: failed to fetch "
        "https://charts.appscode.com/stable/index.yaml : 403 Forbidden"
    )
    source_fails(g, hrepo, "Failed", why, at, last=g.ago(minutes=9), count=17)
    hr = g.helm_release(
        "kubed",
        "kube-system",
        "kubed",
        "v0.13.2",
        "appscode",
        created=plus(CLUSTER_BORN, days=2),
        ks="infrastructure",
        at=g.ago(hours=15),
        ready=(
            "False",
            "ArtifactFailed",
            "HelmChart 'flux-system/kube-system-kubed' is not ready: chart "
            "pull error: failed to get chart version for remote reference: failed to load index: "
            "failed to fetch https://charts.appscode.com/stable/index.yaml : 403 Forbidden",
        ),
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "AppsCode stopped serving its public chart repository: fetching https://charts.appscode.com/stable/index.yaml "
        "returns 403 Forbidden to everyone, so the HelmRepository fails and the kubed HelmRelease cannot get its new chart. "
        "No credential of the cluster is involved: the cause is the external chart host.",
        ["https://github.com/appscode/charts/issues/488", "https://github.com/fluxcd/flux2/issues/1370"],
        [
            cause(
                host("charts.appscode.com"),
                "platform",
                sym(hrepo, "flux-source-failed"),
                sym(hr, "flux-not-ready"),
            )
        ],
        holdout=True,
    )


def imagepull_unauthorized() -> tuple[Lab, Expected]:
    g = lab("imagepull-unauthorized")
    since = g.ago(hours=2, minutes=2)
    image = "ghcr.io/sudoflux/homelab-dashboard:1.8.0"
    g.secret(
        "apps-home.yaml",
        "home",
        "ghcr-pull",
        {
            ".dockerconfigjson": '{"auths":{"ghcr.io":{"auth":"'
            + b64("sudoflux:" + p.secret_text(51, 40))
            + '"}}}'
        },
        created=g.ago(days=91),
        type_="kubernetes.io/dockerconfigjson",
        ks="apps-home",
    )
    dep = app(
        g,
        "dashboard",
        image,
        8080,
        ns="home",
        node="k3s2",
        strategy={"type": "Recreate"},
        pods=[{"node": "k3s2", "mode": "creating", "created": since}],
    )
    for spec in (dep["spec"]["template"]["spec"], dep["_rs"]["spec"]["template"]["spec"]):
        spec["imagePullSecrets"] = [{"name": "ghcr-pull"}]
    pod = the_pod(g, "home", "dashboard-")
    pod["spec"]["imagePullSecrets"] = [{"name": "ghcr-pull"}]
    pull_failure(
        g,
        pod,
        image,
        f'failed to pull and unpack image "{image}": failed to resolve reference "{image}": '
        "failed to authorize: failed to fetch oauth token: unexpected status from GET request to "
        "https://ghcr.io/token?scope=repository%3Asudoflux%2Fhomelab-dashboard%3Apull&service=ghcr.io: 401 Unauthorized",
        since,
    )
    app(g, "home-assistant", "ghcr.io/home-assistant/home-assistant:2025.6.1", 8123, ns="home", node="k3s3")
    return g, expected(
        "The personal access token in imagePullSecret 'ghcr-pull' expired after 90 days: pulling the private dashboard "
        "image from ghcr.io gets 401 Unauthorized while public ghcr.io images (Home Assistant) pull fine. The registry "
        "is not failing; the Deployment whose pull credential is stale is the cause.",
        [
            "https://github.com/bank-vaults/bank-vaults/issues/1640",
            "https://github.com/vortexntnu/vortex-auv/issues/357",
        ],
        [
            cause(
                dep_ref("home", "dashboard"),
                "workload",
                sym(pod, "pod-image-pull"),
                sym(dep_ref("home", "dashboard"), "workload-replicas-unavailable"),
                route_down("home", "dashboard"),
            )
        ],
        holdout=True,
    )


def sops_decryption_failed() -> tuple[Lab, Expected]:
    g = lab("sops-decryption-failed")
    flux_base(g)
    at = g.ago(hours=3, minutes=3)
    msg = (
        "decryption failed for 'sonarr-secrets': failed to decrypt and format 'media/sonarr-secrets' Secret data: cannot "
        "get sops data key: Failed to get the data key required to decrypt the SOPS file.\n\nGroup 0: FAILED\n  "
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p: FAILED\n    - | failed to create reader for "
        "decrypting sops data key with\n      | age: no identity matched any of the recipients\n\nRecovery failed because "
        "no master key was able to decrypt the file. In\norder for SOPS to recover the file, at least one key has to be "
        "successful,\nbut none were."
    )
    ks = kustomization_fails(
        g,
        "apps-media",
        "./clusters/k3s-home/apps/media",
        "ReconciliationFailed",
        msg,
        created=plus(CLUSTER_BORN, days=3),
        at=at,
        last=g.ago(minutes=8),
        count=19,
        sops=True,
    )
    env = [
        {
            "name": "SONARR__API_KEY",
            "valueFrom": {"secretKeyRef": {"key": "api-key", "name": "sonarr-secrets"}},
        }
    ]
    s.media_app(
        g,
        "sonarr",
        "k3s2",
        8989,
        env=env,
        pods=[{"node": "k3s2", "mode": "creating", "created": plus(at, minutes=1)}],
    )
    pod = the_pod(g, "media", "sonarr-")
    config_error(
        g,
        pod,
        'secret "sonarr-secrets" not found',
        since=plus(at, minutes=1),
        first=plus(at, minutes=1),
        last=g.ago(seconds=50),
        count=260,
    )
    s.media_app(g, "radarr", "k3s3", 7878)
    return g, expected(
        "The age key was rotated in the repository's .sops.yaml but the cluster's sops-age Secret still holds the old "
        "identity: the apps-media Kustomization cannot decrypt sonarr-secrets ('no identity matched any of the "
        "recipients'), so that Secret is never created and Sonarr's new pod fails with CreateContainerConfigError. The "
        "Kustomization holding the decryption reference is the cause; Sonarr is its symptom.",
        [
            "https://github.com/devantler-tech/platform/issues/1346",
            "https://github.com/fluxcd/flux2/issues/5154",
        ],
        [
            cause(
                ks,
                "platform",
                sym(ks, "flux-not-ready"),
                sym(pod, "pod-config-error"),
                sym(dep_ref("media", "sonarr"), "workload-replicas-unavailable"),
                route_down("media", "sonarr"),
            )
        ],
        holdout=True,
    )


def statefulset_vct_storageclass_typo() -> tuple[Lab, Expected]:
    g = lab("statefulset-vct-storageclass-typo")
    created = g.ago(minutes=47)
    vct = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"creationTimestamp": None, "name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "10Gi"}},
                "storageClassName": "longhorn-nvm",
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Pending"},
        }
    ]
    msg = (
        "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: "
        "4 Preemption is not helpful for scheduling."
    )
    g.statefulset(
        "apps-home.yaml",
        "home",
        "influxdb",
        created=created,
        ks="apps-home",
        selector={"app.kubernetes.io/name": "influxdb"},
        vcts=vct,
        spec={
            "containers": [
                {
                    "name": "influxdb",
                    "image": "docker.io/library/influxdb:2.7.12",
                    "ports": [{"containerPort": 8086, "name": "http"}],
                    "volumeMounts": [{"mountPath": "/var/lib/influxdb2", "name": "data"}],
                }
            ]
        },
        pods=[unschedulable(plus(created, seconds=1), msg)],
    )
    pod = the_pod(g, "home", "influxdb-")
    pvc = g.pvc(
        "apps-home.yaml",
        "home",
        "data-influxdb-0",
        size="10Gi",
        sc="longhorn-nvm",
        created=created,
        provisioner="driver.longhorn.io",
        phase="Pending",
        labels={"app.kubernetes.io/name": "influxdb"},
    )
    for k in ("volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner"):
        pvc["metadata"]["annotations"].pop(k, None)
    if not pvc["metadata"]["annotations"]:
        del pvc["metadata"]["annotations"]
    ev(
        g,
        pvc,
        "ProvisioningFailed",
        'storageclass.storage.k8s.io "longhorn-nvm" not found',
        first=created,
        last=g.ago(seconds=12),
        count=190,
        component="persistentvolume-controller",
        host="",
    )
    g.series_event(
        EV,
        pod,
        reason="FailedScheduling",
        message=msg,
        first=plus(created, seconds=1),
        last=g.ago(minutes=6),
        count=11,
    )
    app(g, "home-assistant", "ghcr.io/home-assistant/home-assistant:2025.6.1", 8123, ns="home", node="k3s3")
    return g, expected(
        "InfluxDB's StatefulSet asks for StorageClass 'longhorn-nvm' in its volumeClaimTemplate (the class is "
        "'longhorn-nvme'): the generated claim data-influxdb-0 stays Pending on 'storageclass.storage.k8s.io "
        '"longhorn-nvm" not found\' and influxdb-0 cannot be scheduled. The claim naming the missing class is the cause.',
        [
            "https://github.com/ZP-AlwaysWin/K8S-FastDFS/issues/6",
            "https://github.com/kubevious/helm/issues/6",
        ],
        [
            cause(
                pvc,
                "storage",
                sym(pvc, "pvc-storage-class-missing", "pvc-not-bound"),
                sym(pod, "pod-pending"),
                sym(ref("StatefulSet", "home", "influxdb"), "workload-replicas-unavailable"),
            )
        ],
        holdout=True,
    )


def healthy_homelab_noisy() -> tuple[Lab, Expected]:
    """A healthy homelab with the leftovers a real one has: old restarts, finished jobs, a deliberate scale-to-zero,
    an unused WaitForFirstConsumer claim, an old evicted pod that was replaced."""
    g = lab("healthy-homelab-noisy", traefik=False)
    flux_base(g, {"longhorn": "https://charts.longhorn.io"})
    s.media_app(
        g,
        "sonarr",
        "k3s2",
        8989,
        pods=[
            {
                "node": "k3s2",
                "restarts": 3,
                "created": "2025-06-02T10:01:44Z",
                "last": {
                    "sonarr": {
                        "exit": 143,
                        "reason": "Error",
                        "started": "2025-06-03T01:00:00Z",
                        "finished": "2025-06-04T07:12:09Z",
                    }
                },
            }
        ],
    )
    s.media_app(g, "radarr", "k3s3", 7878)
    app(g, "bazarr", "lscr.io/linuxserver/bazarr:1.5.2", 6767, node="k3s2", pods=[], replicas=0)
    g.pvc(
        "apps-media.yaml",
        "media",
        "scratch-transcode",
        size="50Gi",
        sc="local-path",
        created=g.ago(days=2),
        provisioner="rancher.io/local-path",
        phase="Pending",
        ks="apps-media",
    )
    cronjob(
        g,
        "automation",
        "recyclarr",
        "ghcr.io/recyclarr/recyclarr:7.4.1",
        schedule="0 * * * *",
        failed_msg=None,
        node="k3s1",
        created=plus(CLUSTER_BORN, days=10),
        last_run=g.ago(minutes=59, seconds=58),
        ks="apps-automation",
    )
    return g, expected(
        "A healthy cluster with everyday leftovers: a pod that restarted three times twelve days ago, a deliberately "
        "scaled-to-zero Deployment (its route still published), an unused WaitForFirstConsumer claim, a CronJob whose "
        "last run succeeded. No critical root cause and no critical finding are expected.",
        [
            "https://github.com/k3s-io/k3s/issues/5131",
            "https://github.com/kubernetes/kubernetes/issues/77924",
        ],
        [],
        holdout=True,
    )


def ingress_service_renamed() -> tuple[Lab, Expected]:
    g = lab("ingress-service-renamed", traefik=True)
    created = plus(CLUSTER_BORN, days=12)
    upgraded = g.ago(hours=4, minutes=40)
    sel = {"app.kubernetes.io/instance": "nextcloud", "app.kubernetes.io/name": "nextcloud"}
    g.deployment(
        "apps-cloud.yaml",
        "cloud",
        "nextcloud",
        created=created,
        selector=sel,
        helm=("nextcloud", "cloud"),
        spec={
            "containers": [
                {
                    "name": "nextcloud",
                    "image": "docker.io/library/nextcloud:31.0.6-apache",
                    "ports": [{"containerPort": 80, "name": "http"}],
                    "readinessProbe": {"httpGet": {"path": "/status.php", "port": "http"}},
                }
            ]
        },
        pods=[{"node": "k3s2", "created": plus(upgraded, seconds=20)}],
        rs_created=upgraded,
        revision=6,
    )
    g.service(
        "apps-cloud.yaml",
        "cloud",
        "nextcloud-app",
        selector=sel,
        created=upgraded,
        helm=("nextcloud", "cloud"),
        labels=sel,
        ports=[{"name": "http", "port": 8080, "targetPort": "http"}],
    )
    ing = ingress(
        g,
        "cloud",
        "nextcloud",
        "cloud.home.arpa",
        8080,
        created=created,
        ks="apps-cloud",
        annotations={"traefik.ingress.kubernetes.io/router.entrypoints": "websecure"},
    )
    return g, expected(
        "A Nextcloud chart upgrade renamed its Service from 'nextcloud' to 'nextcloud-app'; the hand-written Ingress still "
        "points at 'nextcloud', which no longer exists (Traefik: 'Service not found for cloud/nextcloud'), so "
        "cloud.home.arpa is down although the pod is Ready. The Ingress holding the stale reference is the cause.",
        [
            "https://github.com/dusansusic/kubernetes-traefik/issues/10",
            "https://github.com/traefik/traefik/pull/1604",
        ],
        [cause(ing, "network", sym(ing, "route-backend-unavailable"))],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "coredns-loop-crash": coredns_loop_crash,
    "disk-pressure-evictions": disk_pressure_evictions,
    "memory-pressure-evictions": memory_pressure_evictions,
    "node-down-multiattach": node_down_multiattach,
    "longhorn-volume-faulted": longhorn_volume_faulted,
    "nfs-server-unreachable": nfs_server_unreachable,
    "flux-deploy-key-removed": flux_deploy_key_removed,
    "helm-release-pending-upgrade": helm_release_pending_upgrade,
    "dockerhub-rate-limit": dockerhub_rate_limit,
    "storageclass-misspelled": storageclass_misspelled,
    "webhook-backend-crashloop": webhook_backend_crashloop,
    "webhook-orphaned-ingress-nginx": webhook_orphaned_ingress_nginx,
    "networkpolicy-blocks-other-namespaces": networkpolicy_blocks_other_namespaces,
    "cert-manager-down-cert-expired": cert_manager_down_cert_expired,
    "acme-http01-404": acme_http01_404,
    "missing-secret-env": missing_secret_env,
    "missing-configmap-volume": missing_configmap_volume,
    "oomkilled-app": oomkilled_app,
    "gateway-ip-pool-exhausted": gateway_ip_pool_exhausted,
    "ingress-selector-mismatch": ingress_selector_mismatch,
    "pvc-wffc-insufficient-cpu": pvc_wffc_insufficient_cpu,
    "csi-plugin-crash-one-node": csi_plugin_crash_one_node,
    "velero-b2-unreachable": velero_b2_unreachable,
    "gpu-device-plugin-nvml": gpu_device_plugin_nvml,
    "helmrelease-chart-version-missing": helmrelease_chart_version_missing,
    "kustomization-path-broken-chain": kustomization_path_broken_chain,
    "image-tag-not-found": image_tag_not_found,
    "init-waits-for-crashing-db": init_waits_for_crashing_db,
    "liveness-probe-slow-start": liveness_probe_slow_start,
    "helmrelease-values-secret-missing": helmrelease_values_secret_missing,
    "gateway-cert-ref-not-permitted": gateway_cert_ref_not_permitted,
    "nfs-csi-driver-missing": nfs_csi_driver_missing,
    "prometheus-bad-config": prometheus_bad_config,
    "velero-vsl-conflict": velero_vsl_conflict,
    "healthy-k3s-support-bundle": healthy_k3s_support_bundle,
    "kubelet-cert-expired": kubelet_cert_expired,
    "statefulset-local-path-dead-node": statefulset_local_path_dead_node,
    "double-dns-and-oom": double_dns_and_oom,
    "double-disk-pressure-and-deploy-key": double_disk_pressure_and_deploy_key,
    "helm-repository-forbidden": helm_repository_forbidden,
    "imagepull-unauthorized": imagepull_unauthorized,
    "sops-decryption-failed": sops_decryption_failed,
    "statefulset-vct-storageclass-typo": statefulset_vct_storageclass_typo,
    "healthy-homelab-noisy": healthy_homelab_noisy,
    "ingress-service-renamed": ingress_service_renamed,
}


def main(names: list[str], out_root: Path = OUT) -> None:
    from corpus_diag2 import SCENARIOS as DIAG2  # imported here: they build on this module's helpers
    from corpus_holdout2 import SCENARIOS as HOLDOUT2
    from corpus_holdout3 import SCENARIOS as HOLDOUT3
    from corpus_holdout4 import SCENARIOS as HOLDOUT4
    from corpus_holdout5 import SCENARIOS as HOLDOUT5
    from corpus_holdout6 import SCENARIOS as HOLDOUT6
    from corpus_holdout7 import SCENARIOS as HOLDOUT7
    from corpus_holdout8 import SCENARIOS as HOLDOUT8
    from corpus_holdout9 import SCENARIOS as HOLDOUT9

    every = {
        **SCENARIOS,
        **DIAG2,
        **HOLDOUT2,
        **HOLDOUT3,
        **HOLDOUT4,
        **HOLDOUT5,
        **HOLDOUT6,
        **HOLDOUT7,
        **HOLDOUT8,
        **HOLDOUT9,
    }
    for name in names or list(every):
        g, exp = every[name]()
        out = out_root / name
        out.mkdir(parents=True, exist_ok=True)
        n = g.write_scenario(out, NOW, header=HEADER)
        (out / "expected.yaml").write_text(yaml.safe_dump(exp, sort_keys=False, width=110))
        print(f"{name}: {n} objects")


if __name__ == "__main__":
    main(sys.argv[1:])
