from __future__ import annotations

from factories import container_status, deployment
from factories_apps import crashloop_status, owned_pod, replicaset, service
from factories_diag import endpoint_slice, endpoints
from helpers import findings, run_one

IMAGE = "ghcr.io/home-operations/sonarr:4.0.14"


def _sonarr(*, ready: bool) -> list[dict[str, object]]:
    dep = deployment(
        "sonarr", "media", ready=1 if ready else 0, pod_spec={"containers": [{"name": "app", "image": IMAGE}]}
    )
    rs = replicaset(dep)
    status = (
        container_status("app", IMAGE)
        if ready
        else crashloop_status(
            "app", IMAGE, message="[Fatal] SonarrStartupException: database disk image is malformed"
        )
    )
    pod = owned_pod(rs, "x2x9q", statuses=[status])
    svc = service("sonarr", "media", {"app.kubernetes.io/name": "sonarr"}, [{"name": "http", "port": 8989}])
    return [dep, rs, pod, svc, endpoint_slice(svc, [("10.42.1.17", pod["metadata"]["name"], ready)])]


def test_fires_when_every_backing_pod_is_unready() -> None:
    found = findings("service-no-ready-endpoints", _sonarr(ready=False))
    assert [(f.object.kind, f.object.name) for f in found] == [("Service", "sonarr")]
    f = found[0]
    assert f.message == "Service media/sonarr has no ready endpoint: none of its 1 pod(s) is Ready"
    assert "EndpointSlice: 0 ready, 1 not ready (10.42.1.17 pod sonarr-7d9f8b6c5d-x2x9q)" in f.evidence
    assert any("database disk image is malformed" in e for e in f.evidence)
    assert "owned by Deployment media/sonarr" in " ".join(f.evidence)
    assert "kubernetes.io/service-name=sonarr" in f.hint


def test_fires_from_endpoints_when_no_pod_matches_the_selector() -> None:
    svc = service("radarr", "media", {"app.kubernetes.io/name": "radar"}, [{"name": "http", "port": 7878}])
    found = findings(
        "service-no-ready-endpoints",
        [
            svc,
            endpoints(svc, ready=[], not_ready=[]),
            owned_pod(replicaset(deployment("radarr", "media")), "a1b2c"),
        ],
    )
    assert found[0].message.endswith("no pod matches its selector")
    assert "Endpoints: 0 ready, 0 not ready" in found[0].evidence


def test_silent_with_a_ready_endpoint_and_for_services_without_selector() -> None:
    external = service("nas", "media", None, [{"name": "nfs", "port": 2049}])
    assert findings("service-no-ready-endpoints", [*_sonarr(ready=True), external]) == []


def test_not_evaluated_without_endpoint_kinds() -> None:
    objs = [o for o in _sonarr(ready=False) if o["kind"] != "EndpointSlice"]
    assert run_one("service-no-ready-endpoints", objs).status == "not_evaluated"
