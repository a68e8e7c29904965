from __future__ import annotations

from typing import Any

from factories import container_status, deployment
from factories_apps import crashloop_status, owned_pod, replicaset, service
from factories_diag import endpoint_slice
from helpers import findings, run_one

IMAGE = "rancher/mirrored-coredns-coredns:1.12.1"
# https://github.com/k3s-io/k3s/issues/9066 (CoreDNS exits on a forwarding loop, K3s)
LOOP = (
    '[FATAL] plugin/loop: Loop (127.0.0.1:60292 -> :53) detected for zone ".", see '
    'https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 5578201896000263180.6097644536601687215."'
)
LABELS = {"k8s-app": "kube-dns"}


def _dns(*, crashing: bool, with_slice: bool = True) -> list[dict[str, Any]]:
    dep = deployment(
        "coredns",
        "kube-system",
        ready=0 if crashing else 1,
        labels=LABELS,
        pod_spec={"containers": [{"name": "coredns", "image": IMAGE}]},
    )
    rs = replicaset(dep, "5b9d8f7c6d")
    status = (
        crashloop_status("coredns", IMAGE, restarts=14, message=f".:53\nCoreDNS-1.12.1\n{LOOP}")
        if crashing
        else container_status("coredns", IMAGE)
    )
    pod = owned_pod(rs, "x7k2p", statuses=[status])
    svc = service(
        "kube-dns",
        "kube-system",
        LABELS,
        [{"name": "dns", "port": 53, "protocol": "UDP"}],
        labels={"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
    )
    svc["spec"]["clusterIP"] = "10.43.0.10"
    objs = [dep, rs, pod, svc]
    if with_slice:
        objs.append(endpoint_slice(svc, [("10.42.0.5", pod["metadata"]["name"], not crashing)]))
    return objs


def test_fires_on_the_coredns_deployment_with_the_loop_message() -> None:
    found = findings("cluster-dns-unhealthy", _dns(crashing=True))
    assert [(f.object.kind, f.object.namespace, f.object.name) for f in found] == [
        ("Deployment", "kube-system", "coredns")
    ]
    f = found[0]
    assert f.message == "Cluster DNS is down: no DNS server answers"
    assert f.severity.value == "critical"
    assert "EndpointSlice: 0 ready, 1 not ready (10.42.0.5 pod coredns-5b9d8f7c6d-x7k2p)" in f.evidence
    assert "DNS pods: 0/1 Ready" in f.evidence
    assert any('plugin/loop: Loop (127.0.0.1:60292 -> :53) detected for zone "."' in e for e in f.evidence)
    assert "resolvConf" in f.hint and "rollout restart deployment/coredns" in f.hint


def test_fires_without_endpoint_kinds_from_pod_state() -> None:
    found = findings("cluster-dns-unhealthy", _dns(crashing=True, with_slice=False))
    assert found and found[0].object.name == "coredns"


def test_silent_when_dns_is_ready() -> None:
    assert findings("cluster-dns-unhealthy", _dns(crashing=False)) == []


def test_not_evaluated_without_pods() -> None:
    objs = [o for o in _dns(crashing=True) if o["kind"] != "Pod"]
    assert run_one("cluster-dns-unhealthy", objs).status == "not_evaluated"
