from __future__ import annotations

from datetime import timedelta

from factories_platform import gateway, httproute, service
from helpers import findings, run_one


def test_fires_critical_when_not_accepted_by_its_only_parent() -> None:
    route = httproute(
        "prometheus",
        "monitoring",
        backends=["kube-prometheus-stack-prometheus"],
        accepted=("False", "NoMatchingListenerHostname", "No matching listener hostname"),
    )
    found = findings("httproute-not-accepted", [route, gateway()])
    f = found[0]
    assert f.object.kind == "HTTPRoute" and f.object.name == "prometheus"
    assert "is not accepted by Gateway networking/main-gateway section https" in f.message
    assert "NoMatchingListenerHostname" in f.message
    assert any(
        e.startswith(
            "parent Gateway networking/main-gateway section https (io.cilium/gateway-controller): "
            "Accepted=False"
        )
        for e in f.evidence
    )
    assert "hostnames: prometheus.fletcherlabs.net" in f.evidence
    assert f.severity.value == "critical"


def test_fires_on_backend_not_found_and_missing_service() -> None:
    route = httproute(
        "sonarr", "media", resolved=("False", "BackendNotFound", 'Service "media/sonarr" not found')
    )
    found = findings("httproute-not-accepted", [route, gateway(), service("radarr", "media")])
    f = found[0]
    assert "unresolved backend refs (BackendNotFound" in f.message
    assert (
        "rules[0].backendRefs: Service media/sonarr does not exist (1/1 backends of the rule)" in f.evidence
    )
    assert f.severity.value == "critical"


def test_one_of_two_backends_missing_is_warning() -> None:
    route = httproute("jellyfin", "media", backends=["jellyfin", "jellyfin-canary"])
    found = findings("httproute-not-accepted", [route, gateway(), service("jellyfin", "media")])
    assert found[0].severity.value == "warning"
    assert "sends traffic to Service media/jellyfin-canary, which does not exist" in found[0].message


def test_parent_gateway_missing_and_no_status() -> None:
    route = httproute("overseerr", "media", gateway_name="public-gateway", accepted=None)
    found = findings("httproute-not-accepted", [route, gateway()])
    assert (
        "is attached to Gateway networking/public-gateway section https, which does not exist"
        in found[0].message
    )
    assert found[0].severity.value == "critical"
    # A brand-new route the controller has not reached yet is not a finding.
    fresh = httproute("bazarr", "media", accepted=None, age=timedelta(minutes=1))
    assert findings("httproute-not-accepted", [fresh, gateway()]) == []


def test_silent_on_accepted_route_with_backend() -> None:
    objs = [httproute("grafana", "monitoring"), gateway(), service("grafana", "monitoring")]
    assert findings("httproute-not-accepted", objs) == []


def test_not_evaluated_without_routes() -> None:
    assert run_one("httproute-not-accepted", [gateway()]).status == "not_evaluated"
