"""servicelb-port-clash: the LoadBalancer Service asking for a taken port is the cause of its unschedulable svclb
DaemonSet and pods; the Service holding the port is not."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import node, state
from factories_apps import servicelb


def test_the_service_asking_for_the_taken_port_is_the_cause() -> None:
    objs = [
        node("k3s-master1", control_plane=True),
        *servicelb("traefik", "kube-system", [(80, "TCP"), (443, "TCP")]),
        *servicelb("adguard-home-lb", "home", [(53, "UDP"), (80, "TCP")], running=False),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Service", "namespace": "home", "name": "adguard-home-lb"}
    assert top["rule"] == "servicelb-port-clash"
    held = {(f["check"], f["object"]["kind"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {("daemonset-not-ready", "DaemonSet"), ("pod-pending", "Pod")} <= held
    assert not any(rc["object"]["name"] == "traefik" for rc in report["root_causes"])
    assert any(link["edge"] == "servicelb" for link in top["chain"])


def test_an_svclb_pod_pending_for_another_reason_names_no_service() -> None:
    objs = [
        node("k3s-master1", control_plane=True),
        *servicelb("adguard-home-lb", "home", [(53, "UDP")], running=False),
    ]
    report = analyze(state(objs)).report  # no pod holds 53/UDP: the words alone name no clash
    assert all(rc["rule"] != "servicelb-port-clash" for rc in report["root_causes"])
