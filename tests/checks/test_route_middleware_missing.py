"""Traefik middleware references (https://github.com/traefik/traefik/issues/5480: a router whose
middleware does not exist is not served)."""

from __future__ import annotations

from typing import Any

from factories import meta
from helpers import findings, run_one

MIDDLEWARE_GK = "Middleware.traefik.io"


def _ns(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, None, kind="Namespace")}


def _middleware(ns: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "Middleware",
        "metadata": meta(name, ns, kind="Middleware"),
        "spec": {"forwardAuth": {"address": "http://authelia.auth.svc.cluster.local/api/verify"}},
    }


def _ingress(annotation: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            **meta("wiki", "docs", kind="Ingress"),
            "annotations": {"traefik.ingress.kubernetes.io/router.middlewares": annotation},
        },
        "spec": {"ingressClassName": "traefik", "rules": [{"host": "wiki.example.net"}]},
    }


def test_fires_on_an_ingress_naming_a_middleware_that_does_not_exist() -> None:
    objs = [
        _ns("docs"),
        _ns("network-auth"),
        _middleware("network-auth", "forward-auth"),
        _ingress("network-auth-forwardauth@kubernetescrd,network-auth-forward-auth@kubernetescrd"),
    ]
    found = findings("route-middleware-missing", objs, captured=[MIDDLEWARE_GK])
    assert [(f.object.kind, f.object.name) for f in found] == [("Ingress", "wiki")]
    assert "network-auth/forwardauth" in found[0].message
    assert "network-auth/forward-auth" not in found[0].message
    assert found[0].severity.value == "critical"


def test_fires_on_an_ingressroute_middleware_in_its_own_namespace() -> None:
    route = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": meta("grafana", "monitoring", kind="IngressRoute"),
        "spec": {
            "routes": [
                {
                    "match": "Host(`grafana.example.net`)",
                    "kind": "Rule",
                    "middlewares": [{"name": "ip-allowlist"}],
                    "services": [{"name": "grafana", "port": 80}],
                }
            ]
        },
    }
    found = findings(
        "route-middleware-missing",
        [route, _middleware("kube-system", "ip-allowlist")],
        captured=[MIDDLEWARE_GK],
    )
    assert [f.object.name for f in found] == ["grafana"]
    assert found[0].evidence == ("spec.routes[].middlewares: ip-allowlist",)


def test_silent_when_the_middleware_exists_or_comes_from_another_provider() -> None:
    objs = [
        _ns("docs"),
        _ns("network-auth"),
        _middleware("network-auth", "forward-auth"),
        _ingress("network-auth-forward-auth@kubernetescrd, secure-headers@file"),
    ]
    assert findings("route-middleware-missing", objs, captured=[MIDDLEWARE_GK]) == []


def test_not_evaluated_without_middlewares_read() -> None:
    result = run_one("route-middleware-missing", [_ingress("docs-auth@kubernetescrd")])
    assert result.findings == ()
    assert result.status == "not_evaluated"
