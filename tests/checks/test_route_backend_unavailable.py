from __future__ import annotations

from typing import Any

from factories import container_status, deployment
from factories_apps import (
    crashloop_status,
    http_route,
    ingress,
    owned_pod,
    replicaset,
    service,
)
from factories_diag import endpoint_slice
from helpers import findings, run_one

IMAGE = "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1"


def _proxy(*, crashing: bool) -> list[dict[str, Any]]:
    dep = deployment(
        "oauth2-proxy",
        "monitoring",
        ready=0 if crashing else 1,
        pod_spec={"containers": [{"name": "oauth2-proxy", "image": IMAGE}]},
    )
    rs = replicaset(dep)
    status = (
        crashloop_status(
            "oauth2-proxy",
            IMAGE,
            message="cookie_secret must be 16, 24, or 32 bytes to create an AES cipher, but is 167 bytes",
        )
        if crashing
        else container_status("oauth2-proxy", IMAGE)
    )
    pod = owned_pod(rs, "abcde", statuses=[status])
    svc = service(
        "oauth2-proxy",
        "monitoring",
        {"app.kubernetes.io/name": "oauth2-proxy"},
        [{"name": "http", "port": 4180}],
    )
    route = http_route("grafana", "monitoring", ["grafana.fletcherlabs.net"], [("oauth2-proxy", 4180)])
    return [
        dep,
        rs,
        pod,
        svc,
        route,
        endpoint_slice(svc, [("10.42.2.31", pod["metadata"]["name"], not crashing)]),
    ]


def test_fires_on_the_route_when_its_backend_has_no_ready_endpoint() -> None:
    found = findings("route-backend-unavailable", _proxy(crashing=True))
    assert [(f.object.kind, f.object.name) for f in found] == [("HTTPRoute", "grafana")]
    f = found[0]
    assert f.message == (
        "HTTPRoute monitoring/grafana (grafana.fletcherlabs.net): backend Service "
        "monitoring/oauth2-proxy has no ready endpoint"
    )
    assert any("cookie_secret must be 16, 24, or 32 bytes" in e for e in f.evidence)
    assert "monitoring/oauth2-proxy" in f.hint


def test_fires_on_an_ingress_naming_a_missing_service() -> None:
    objs = [*_proxy(crashing=False), ingress("jellyfin", "media", "jf.fletcherlabs.net", "jellyfin", 8096)]
    found = findings("route-backend-unavailable", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("Ingress", "jellyfin")]
    assert "backend Service media/jellyfin does not exist" in found[0].message


def test_silent_when_backends_are_ready() -> None:
    assert findings("route-backend-unavailable", _proxy(crashing=False)) == []


def test_not_evaluated_without_routes() -> None:
    objs = [o for o in _proxy(crashing=True) if o["kind"] != "HTTPRoute"]
    assert run_one("route-backend-unavailable", objs).status == "not_evaluated"


def test_a_backend_scaled_to_zero_is_a_warning_that_says_so() -> None:
    dep = deployment("bazarr", "media", replicas=0, ready=0)
    svc = service("bazarr", "media", {"app.kubernetes.io/name": "bazarr"}, [{"name": "http", "port": 6767}])
    route = http_route("bazarr", "media", ["bazarr.fletcherlabs.net"], [("bazarr", 6767)])
    found = findings("route-backend-unavailable", [dep, svc, route, endpoint_slice(svc, [])])
    assert found[0].severity.value == "warning"
    assert found[0].message.endswith("has no ready endpoint (its Deployment media/bazarr is scaled to 0)")
    assert (
        findings("service-no-ready-endpoints", [dep, svc, endpoint_slice(svc, [])])[0].severity.value
        == "info"
    )


def test_silent_when_the_capture_lacks_the_services_endpoints_but_its_pods_are_ready() -> None:
    objs = [o for o in _proxy(crashing=False) if o["kind"] != "EndpointSlice"]
    other = service("other", "default", {"app": "other"}, [{"name": "http", "port": 80}])
    objs.append(endpoint_slice(other, []))
    assert findings("route-backend-unavailable", objs) == []
