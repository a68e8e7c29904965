"""A Service whose named targetPort its Ready pods lack is the cause of its own missing endpoints and of the
route in front of it; the Deployment, whose pods are Ready, is not."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import node, state
from factories_apps import named_port_app


def test_the_service_naming_a_missing_port_is_the_cause() -> None:
    report = analyze(state([node("k3s2"), *named_port_app("http", "web")])).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Service", "namespace": "home", "name": "linkding"}
    assert top["layer"] == "network"
    held = {f["check"] for f in report["findings"] if f["id"] in {top["finding"], *top["symptoms"]}}
    assert {
        "service-target-port-unmatched",
        "service-no-ready-endpoints",
        "route-backend-unavailable",
    } <= held


def test_nothing_fails_when_the_names_agree() -> None:
    report = analyze(state([node("k3s2"), *named_port_app("http", "http")])).report
    assert not [rc for rc in report["root_causes"] if rc["object"]["name"] == "linkding"]
