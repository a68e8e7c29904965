"""upstream-dns-unreachable: the resolver CoreDNS forwards to (and the nodes use) stops answering.

Go resolver errors as Flux and containerd report them (https://github.com/fluxcd/flux2/issues/4411,
https://github.com/kubernetes/kubernetes/issues/105152).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories import deployment, event
from factories_apps import service
from factories_infra import configmap
from factories_platform import condition, git_repository, helm_repository

COREFILE = ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . 192.168.10.53\n    cache 30\n    loop\n}\n"


def _dns(*, ready: int = 1) -> list[dict[str, Any]]:
    svc = service("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, [{"name": "dns", "port": 53}])
    svc["spec"]["clusterIP"] = "10.43.0.10"
    return [
        svc,
        deployment("coredns", "kube-system", ready=ready, labels={"k8s-app": "kube-dns"}),
        configmap("coredns", "kube-system", {"Corefile": COREFILE}),
    ]


def _failing(*names: str) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        message = f"failed to checkout and determine revision: dial tcp: lookup {name} on 10.43.0.10:53: server misbehaving"
        ready = condition("Ready", "False", "GitOperationFailed", message)
        source = (
            git_repository(f"repo-{i}", ready=ready)
            if i % 2 == 0
            else helm_repository(f"charts-{i}", "https://charts.jetstack.io", ready=ready)
        )
        objs += [source, event(source, "GitOperationFailed", message, component="source-controller")]
    return objs


def test_fires_on_the_upstream_coredns_forwards_to() -> None:
    [finding] = findings("upstream-dns-unreachable", [*_dns(), *_failing("github.com", "charts.jetstack.io")])
    assert (finding.object.kind, finding.object.name) == ("ExternalHost", "192.168.10.53")
    assert finding.layer.value == "network"
    assert any("forward . 192.168.10.53" in e for e in finding.evidence)
    assert "charts.jetstack.io, github.com" in finding.evidence[0]


def test_silent_for_one_name_or_when_coredns_itself_is_down() -> None:
    assert findings("upstream-dns-unreachable", [*_dns(), *_failing("github.com")]) == []
    assert findings("upstream-dns-unreachable", [*_dns(ready=0), *_failing("github.com", "ghcr.io")]) == []
