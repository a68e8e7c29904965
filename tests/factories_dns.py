"""Cluster DNS forwarding to an upstream resolver, and Flux sources whose lookups fail through it (Go resolver
errors as Flux reports them: https://github.com/fluxcd/flux2/issues/4411)."""

from __future__ import annotations

from typing import Any

from factories import deployment, event
from factories_apps import service
from factories_infra import configmap
from factories_platform import condition, git_repository, helm_repository

COREFILE = ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . 192.168.10.53\n    cache 30\n    loop\n}\n"


def dns_forwarding_to(*, ready: int = 1) -> list[dict[str, Any]]:
    """CoreDNS (its Deployment, ``kube-dns`` Service and Corefile) forwarding to 192.168.10.53."""
    svc = service("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, [{"name": "dns", "port": 53}])
    svc["spec"]["clusterIP"] = "10.43.0.10"
    return [
        svc,
        deployment("coredns", "kube-system", ready=ready, labels={"k8s-app": "kube-dns"}),
        configmap("coredns", "kube-system", {"Corefile": COREFILE}),
    ]


def sources_failing_lookup(*names: str) -> list[dict[str, Any]]:
    """Flux sources whose fetch fails on ``lookup <name> on 10.43.0.10:53: server misbehaving``."""
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
