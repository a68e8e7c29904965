"""service-target-port-unmatched: a Service whose named targetPort no container port of its Ready pods has
(https://github.com/kubernetes/kubernetes/issues/109627: the EndpointSlice lists the pod without ports)."""

from __future__ import annotations

from checks.helpers import findings

from factories_apps import named_port_app


def test_fires_when_no_ready_pod_has_the_named_port() -> None:
    [finding] = findings("service-target-port-unmatched", named_port_app("http", "web"))
    assert (finding.object.kind, finding.object.name) == ("Service", "linkding")
    assert finding.severity.value == "critical" and finding.layer.value == "network"
    assert "'http'" in finding.message
    assert any("container ports named web" in e for e in finding.evidence)


def test_silent_when_the_names_agree() -> None:
    assert findings("service-target-port-unmatched", named_port_app("http", "http")) == []


def test_silent_when_no_selected_pod_is_ready() -> None:
    objs = named_port_app("http", "web")
    objs[2]["status"]["conditions"] = [
        c if c["type"] != "Ready" else {**c, "status": "False"} for c in objs[2]["status"]["conditions"]
    ]
    assert findings("service-target-port-unmatched", objs) == []


def test_the_service_without_endpoints_says_its_ready_pods_have_no_port() -> None:
    [finding] = findings("service-no-ready-endpoints", named_port_app("http", "web"))
    assert finding.message.endswith("its 1 Ready address(es) are listed with none of its ports")
    assert findings("service-no-ready-endpoints", named_port_app("http", "http")) == []


def test_silent_when_the_endpoint_controllers_list_the_port() -> None:
    objs = named_port_app("http", "web")
    objs[4]["ports"] = [{"name": "http", "port": 9090, "protocol": "TCP"}]  # the slice says the name resolved
    assert findings("service-target-port-unmatched", objs) == []
