"""servicelb-port-taken: a second LoadBalancer Service on a port K3s's ServiceLB already gives another one
(https://github.com/k3s-io/k3s/issues/1969, https://github.com/MoJo2600/pihole-kubernetes/issues/54)."""

from __future__ import annotations

from checks.helpers import findings

from factories import node
from factories_apps import servicelb


def test_fires_on_the_service_whose_svclb_pods_find_the_port_taken() -> None:
    objs = [
        node("k3s-master1", control_plane=True),
        *servicelb("traefik", "kube-system", [(80, "TCP"), (443, "TCP")]),
        *servicelb("adguard-home-lb", "home", [(53, "UDP"), (80, "TCP")], running=False),
    ]
    [finding] = findings("servicelb-port-taken", objs)
    assert (finding.object.kind, finding.object.namespace, finding.object.name) == (
        "Service",
        "home",
        "adguard-home-lb",
    )
    assert finding.severity.value == "critical" and finding.layer.value == "network"
    assert "80/TCP" in finding.message and "Service kube-system/traefik" in finding.message
    assert "53/UDP" not in finding.message  # not held by anyone
    assert any("80/TCP on k3s-master1 held by pod kube-system/svclb-traefik" in e for e in finding.evidence)


def test_silent_when_the_ports_differ_in_protocol() -> None:
    # 53/UDP held, 53/TCP asked: the scheduler's message is about some other pod's port, not one this Service asks
    objs = [
        node("k3s-master1", control_plane=True),
        *servicelb("blocky", "dns", [(53, "UDP")]),
        *servicelb("adguard-home-lb", "home", [(53, "TCP")], running=False),
    ]
    assert findings("servicelb-port-taken", objs) == []


def test_silent_when_every_svclb_pod_runs() -> None:
    objs = [
        node("k3s-master1", control_plane=True),
        *servicelb("traefik", "kube-system", [(80, "TCP"), (443, "TCP")]),
        *servicelb("adguard-home-lb", "home", [(53, "UDP")]),
    ]
    assert findings("servicelb-port-taken", objs) == []
