"""The sixth holdout set of the scenario corpus: incidents of types no earlier scenario has (a bad coredns-custom
import that crash-loops CoreDNS, an amd64-only image on an arm64 node, a node left cordoned after maintenance that
holds a local-path volume, a Flux Kustomization whose dependency was renamed away, and a second LoadBalancer Service whose ServiceLB pods find
port 80 taken). Each expectation was written
from the incident before anything diagnosed its snapshot; the set is run once, untuned, for the generalisation figure.
Same 4-node K3s homelab and builders as ``corpus.py``.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]`` (these are registered there).
"""

from __future__ import annotations

from collections.abc import Callable

import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    apps_kustomization,
    cause,
    crash,
    crashify,
    dep_ref,
    dependency_not_ready,
    expected,
    find,
    flux_base,
    lab,
    node_event,
    ready_false,
    ref,
    route_down,
    sym,
    the_pod,
    unschedulable,
    workload_down,
)
from homelab import CLUSTER_BORN, Lab
from k8sgen import plus

import scenarios as s

NOW = s.NOW
FLUX_NS = "flux-system"


# ------------------------------------------------------------------------------------------ network
def coredns_custom_unknown_directive() -> tuple[Lab, Expected]:
    # K3s's Corefile ends with 'import /etc/coredns/custom/*.server': a server block in the coredns-custom ConfigMap
    # naming a plugin the bundled CoreDNS image was not built with stops the whole Corefile from parsing.
    msg = "/etc/coredns/custom/home.server:3 - Error during parsing: Unknown directive 'k8s_gateway'"
    since = "2025-06-15T21:58:40Z"
    g0 = Lab("probe", NOW)
    g = lab(
        "coredns-custom-unknown-directive",
        dns_plan={"mode": "crash", "crash_since": since, "crash": {"coredns": crash(g0, msg, 61, ran=0)}},
    )
    flux_base(g, {"longhorn": "https://charts.longhorn.io"})
    custom = g.configmap(
        "coredns-custom.yaml",
        "kube-system",
        "coredns-custom",
        {
            "home.server": "home.arpa:53 {\n    errors\n    k8s_gateway home.arpa\n    cache 30\n}\n",
        },
        created=plus(since, minutes=-1, seconds=-12),
        ks="infrastructure",
    )
    src = the_pod(g, FLUX_NS, "source-controller-")
    ip = src["status"]["podIP"]
    dns_err = f"read udp {ip}:39410->10.43.0.10:53: read: connection refused"
    git = find(g, "GitRepository", "flux-system")
    git_msg = (
        f"failed to checkout and determine revision: unable to clone '{p.REPO_URL}': dial tcp: lookup github.com on "
        f"10.43.0.10:53: {dns_err}"
    )
    ready_false(
        git,
        "GitOperationFailed",
        git_msg,
        g.ago(minutes=11),
        [Lab.cond("FetchFailed", "True", "GitOperationFailed", git_msg, g.ago(minutes=11))],
    )
    dns = the_pod(g, "kube-system", "coredns-")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "To resolve home.arpa names from the Gateway's routes, a server block using the k8s_gateway plugin was added "
        "to the coredns-custom ConfigMap that K3s's Corefile imports. The CoreDNS image bundled with K3s is not built "
        "with that external plugin, so CoreDNS exits at start with '/etc/coredns/custom/home.server:3 - Error during "
        "parsing: Unknown directive 'k8s_gateway'' and crash-loops; cluster DNS is gone and Flux can no longer resolve "
        "github.com. The bad coredns-custom ConfigMap is the cause, not the CoreDNS Deployment or the Flux source.",
        [
            "https://github.com/ori-edge/k8s_gateway/issues/76",
            "https://github.com/k3s-io/k3s/issues/4862",
            "https://github.com/coredns/kubernetai/issues/22",
        ],
        [
            cause(
                custom,
                "network",
                sym(dep_ref("kube-system", "coredns"), "cluster-dns-unhealthy"),
                sym(dns, "pod-crashloop"),
                sym(ref("GitRepository", FLUX_NS, "flux-system"), "flux-source-failed"),
            )
        ],
        holdout=True,
    )


def servicelb_port_conflict() -> tuple[Lab, Expected]:
    g = lab("servicelb-port-conflict", traefik=True)
    created = g.ago(hours=5, minutes=12)
    # ServiceLB only uses the nodes labelled enablelb once any node is: here the one node facing the LAN.
    lb_node = "k3s-master1"
    g.nodes[lb_node]["metadata"]["labels"]["svccontroller.k3s.cattle.io/enablelb"] = "true"
    nodes = [lb_node]
    app(
        g,
        "adguard-home",
        "docker.io/adguard/adguardhome:v0.107.62",
        3000,
        ns="home",
        node="k3s2",
        route=False,
        pods=[{"node": "k3s2", "created": plus(created, seconds=3)}],
    )
    svc = g.service(
        "apps-home.yaml",
        "home",
        "adguard-home-lb",
        selector={"app.kubernetes.io/instance": "adguard-home", "app.kubernetes.io/name": "adguard-home"},
        created=created,
        type_="LoadBalancer",
        ks="apps-home",
        ports=[
            {"name": "dns-udp", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "http", "port": 80, "targetPort": "http"},
        ],
    )
    svc["status"] = {"loadBalancer": {}}
    svclb = "svclb-adguard-home-lb-" + svc["metadata"]["uid"][:8]
    sel = {"app": svclb}
    lab_ = {
        **sel,
        "svccontroller.k3s.cattle.io/svcname": "adguard-home-lb",
        "svccontroller.k3s.cattle.io/svcnamespace": "home",
    }
    msg = (
        "0/4 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 3 node(s) didn't "
        "match Pod's node affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for "
        "incoming pod, 3 Preemption is not helpful for scheduling."
    )
    pods_at = plus(created, seconds=2)
    ds = g.daemonset(
        "kube-system.yaml",
        "kube-system",
        svclb,
        created=plus(created, seconds=1),
        nodes=nodes,
        selector=sel,
        labels=lab_,
        tpl_labels=lab_,
        pods_created=pods_at,
        per_node={n: {"mode": "unschedulable", "unsched_msg": msg, "unsched_since": pods_at} for n in nodes},
        spec={
            "containers": [
                {
                    "name": f"lb-{proto.lower()}-{port}",
                    "image": "rancher/klipper-lb:v0.4.13",
                    "env": [
                        {"name": "SRC_PORT", "value": str(port)},
                        {"name": "SRC_RANGES", "value": "0.0.0.0/0"},
                        {"name": "DEST_PROTO", "value": proto},
                        {"name": "DEST_PORT", "value": str(port)},
                        {"name": "DEST_IPS", "value": svc["spec"]["clusterIP"]},
                    ],
                    "ports": [
                        {
                            "containerPort": port,
                            "hostPort": port,
                            "name": f"lb-{proto.lower()}-{port}",
                            "protocol": proto,
                        }
                    ],
                    "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}},
                }
                for proto, port in (("UDP", 53), ("TCP", 80))
            ],
            "serviceAccountName": "svclb",
        },
    )
    lb_pods = ds["_pods"]
    for pod in lb_pods:
        pod["spec"].pop("nodeName", None)
        g.series_event(
            EV,
            pod,
            reason="FailedScheduling",
            message=msg,
            first=pods_at,
            last=g.ago(minutes=2),
            count=64,
        )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "AdGuard Home was exposed with a second LoadBalancer Service on ports 53/UDP and 80/TCP. K3s's ServiceLB "
        "(klipper-lb) implements LoadBalancer Services with hostPorts on its nodes, and port 80 is already held on "
        "k3s-master1, the one node labelled for ServiceLB, by svclb-traefik; the new svclb DaemonSet's pod stays "
        'Pending with "didn\'t have free ports for the requested pod ports" and the Service never gets an external '
        "IP. The conflicting LoadBalancer Service is the cause.",
        [
            "https://github.com/MoJo2600/pihole-kubernetes/issues/54",
            "https://github.com/traefik/traefik-helm-chart/issues/732",
            "https://github.com/k3s-io/k3s/issues/1969",
        ],
        [
            cause(
                svc,
                "network",
                sym(ds, "daemonset-not-ready"),
                *(sym(pod, "pod-pending") for pod in lb_pods),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ node
def _make_arm64(g: Lab, node: str) -> None:
    """A Raspberry Pi 5 agent: arm64 labels and node info."""
    n = g.nodes[node]
    n["metadata"]["labels"]["kubernetes.io/arch"] = "arm64"
    n["metadata"]["labels"]["beta.kubernetes.io/arch"] = "arm64"
    info = n["status"]["nodeInfo"]
    info["architecture"] = "arm64"
    info["kernelVersion"] = "6.6.74+rpt-rpi-2712"
    info["osImage"] = "Debian GNU/Linux 12 (bookworm)"


def node_cordon_forgotten_local_path() -> tuple[Lab, Expected]:
    g = lab("node-cordon-forgotten-local-path")
    drained = g.ago(days=1, hours=20, minutes=14)
    node = g.nodes["k3s3"]
    node["spec"]["unschedulable"] = True
    node["spec"].setdefault("taints", []).append(
        {
            "effect": "NoSchedule",
            "key": "node.kubernetes.io/unschedulable",
            "timeAdded": plus(drained, seconds=2),
        }
    )
    node_event(
        g,
        "k3s3",
        "NodeNotSchedulable",
        "Node k3s3 status is now: NodeNotSchedulable",
        first=plus(drained, seconds=2),
        last=plus(drained, seconds=2),
        count=1,
        type_="Normal",
    )
    msg = (
        "0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) had volume node affinity conflict. "
        "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    )
    pod_created = plus(drained, seconds=31)
    ha = app(
        g,
        "home-assistant",
        "ghcr.io/home-assistant/home-assistant:2025.6.1",
        8123,
        ns="home",
        node="k3s3",
        pvc=("home-assistant-config", "5Gi", "local-path"),
        pods=[unschedulable(pod_created, msg)],
    )
    pod = the_pod(g, "home", "home-assistant-")
    g.series_event(
        EV,
        pod,
        reason="FailedScheduling",
        message=msg,
        first=pod_created,
        last=g.ago(minutes=4),
        count=412,
    )
    workload_down(ha, pod_created)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "k3s3 was drained for a kernel update almost two days ago, rebooted, and never uncordoned: it is Ready but "
        "still unschedulable. Home Assistant's configuration lives on a local-path volume whose PersistentVolume is "
        "pinned to k3s3, so its pod, evicted by the drain, has been Pending since with '1 node(s) were unschedulable, "
        "3 node(s) had volume node affinity conflict'. The node left cordoned is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/108096",
            "https://github.com/yugabyte/yugabyte-db/pull/20349",
        ],
        [
            cause(
                node,
                "node",
                sym(node, "node-cordoned"),
                sym(pod, "pod-pending"),
                sym(ha, "workload-replicas-unavailable"),
                route_down("home", "home-assistant"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ workload
def amd64_image_on_arm64_node() -> tuple[Lab, Expected]:
    g = lab("amd64-image-on-arm64-node")
    _make_arm64(g, "k3s3")
    since = g.ago(hours=2, minutes=37)
    kuard = app(
        g,
        "kuard",
        "gcr.io/kuar-demo/kuard-amd64:blue",
        8080,
        ns="home",
        node="k3s3",
        pods=[{"node": "k3s3", "created": since}],
    )
    pod = the_pod(g, "home", "kuard-")
    # runc reports the exec failure only in the container log; the default terminationMessagePolicy (File) leaves
    # the terminated state without a message.
    crashify(g, pod, "kuard", "", 33, plus(since, seconds=20), exit_code=255)
    workload_down(kuard, plus(since, seconds=20))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A Raspberry Pi 5 (arm64) joined the cluster as k3s3. The kuard demo Deployment uses an amd64-only image "
        "(gcr.io/kuar-demo/kuard-amd64) and sets no kubernetes.io/arch nodeSelector; its pod landed on the arm64 node "
        "and crash-loops with exit code 255 ('exec /kuard: exec format error' in its log). The Deployment, an "
        "amd64-only image without an architecture constraint, is the cause; the node is healthy.",
        [
            "https://github.com/canonical/microk8s/issues/1118",
            "https://github.com/kubernetes/node-problem-detector/issues/797",
            "https://github.com/k3s-io/k3s/issues/2912",
        ],
        [
            cause(
                kuard,
                "workload",
                sym(pod, "pod-crashloop"),
                sym(kuard, "workload-replicas-unavailable"),
                route_down("home", "kuard"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def kustomization_dependency_renamed() -> tuple[Lab, Expected]:
    g = lab("kustomization-dependency-renamed")
    flux_base(g)
    at = g.ago(hours=3, minutes=5)
    g.kustomization(
        "infrastructure-configs",
        "./clusters/k3s-home/infrastructure-configs",
        created=at,
        revision=p.GIT_REV,
        applied=plus(at, seconds=40),
        depends=["infrastructure"],
    )
    msg = (
        "dependency 'flux-system/infra-configs' not found: kustomizations.kustomize.toolkit.fluxcd.io "
        '"infra-configs" not found'
    )
    apps = apps_kustomization(
        g,
        "home",
        created=plus(CLUSTER_BORN, days=3),
        applied=at,
        depends=["infra-configs"],
        last_applied=p.GIT_REV_OLD,
        ready=("False", "DependencyNotReady", msg),
    )
    # kustomize-controller's checkDependencies (v1.3 to v1.9): the Ready condition quotes the dependency's Get error
    # (the API server's NotFound names the resource, kustomizations.kustomize.toolkit.fluxcd.io); the event it records
    # each retry is Normal, with the condition's reason and a fixed text.
    dependency_not_ready(
        g,
        apps,
        "Dependencies do not meet ready condition, retrying in 30s",
        first=plus(at, seconds=45),
        last=g.ago(seconds=20),
        count=372,
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A tidy-up commit renamed the infra-configs Kustomization to infrastructure-configs; Flux pruned the old object "
        "and applied the new one, but apps-home still lists 'infra-configs' in dependsOn. Since then apps-home is not "
        "Ready ('dependency ... not found') and has applied nothing pushed after the rename. The apps-home "
        "Kustomization's stale dependsOn is the cause.",
        [
            "https://github.com/fluxcd/flux2/issues/1193",
            "https://github.com/fluxcd/flux2-kustomize-helm-example/issues/105",
        ],
        [cause(apps, "platform", sym(apps, "flux-not-ready"))],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "coredns-custom-unknown-directive": coredns_custom_unknown_directive,
    "node-cordon-forgotten-local-path": node_cordon_forgotten_local_path,
    "amd64-image-on-arm64-node": amd64_image_on_arm64_node,
    "kustomization-dependency-renamed": kustomization_dependency_renamed,
    "servicelb-port-conflict": servicelb_port_conflict,
}
