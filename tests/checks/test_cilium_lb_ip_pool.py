from __future__ import annotations

from datetime import timedelta

from factories_infra import cilium_config, lb_ip_pool, lb_service
from helpers import findings, run_one


def test_fires_on_exhausted_pool_with_counts() -> None:
    found = findings("cilium-lb-ip-pool", [lb_ip_pool(total=16, used=16)])
    assert [(f.object.kind, f.object.name) for f in found] == [("CiliumLoadBalancerIPPool", "main-pool")]
    f = found[0]
    assert f.message == "CiliumLoadBalancerIPPool main-pool has no free IPs (16/16 used)"
    assert "blocks: 192.168.10.224/28" in f.evidence
    assert "IPsTotal=16 IPsAvailable=0 IPsUsed=16" in f.evidence


def test_fires_on_conflicting_pool() -> None:
    found = findings("cilium-lb-ip-pool", [lb_ip_pool(conflict=True)])
    assert "conflicts with another pool" in found[0].message
    assert any("cilium.io/PoolConflict=True reason=cidr_overlap" in e for e in found[0].evidence)


def test_fires_on_service_left_without_ip_and_names_the_unmatched_pool() -> None:
    pool = lb_ip_pool(service_selector={"matchLabels": {"io.kubernetes.service.namespace": "media"}})
    svc = lb_service(
        "cilium-gateway-main-gateway", "networking", ip=None, age=timedelta(hours=5), cilium_reason="no_pool"
    )
    found = findings("cilium-lb-ip-pool", [pool, svc, cilium_config()])
    assert [(f.object.kind, f.object.name) for f in found] == [("Service", "cilium-gateway-main-gateway")]
    f = found[0]
    assert (
        f.message == "LoadBalancer Service networking/cilium-gateway-main-gateway has no external IP after 5h"
    )
    assert (
        "cilium.io/IPAMRequestSatisfied=False reason=no_pool: There are no enabled CiliumLoadBalancerIPPools "
        "that match this service"
    ) in f.evidence
    assert "pools matching its labels: none (of main-pool)" in f.evidence


def test_pool_matching_through_the_virtual_namespace_label_is_named() -> None:
    pool = lb_ip_pool(
        service_selector={"matchLabels": {"io.kubernetes.service.namespace": "networking"}}, total=16, used=16
    )
    svc = lb_service("cilium-gateway-main-gateway", "networking", ip=None, cilium_reason="out_of_ips")
    found = findings("cilium-lb-ip-pool", [pool, svc])
    assert [f.object.kind for f in found] == ["CiliumLoadBalancerIPPool", "Service"]
    assert "pools matching its labels: main-pool (of main-pool)" in found[1].evidence


def test_silent_on_healthy_pool_and_assigned_or_new_services() -> None:
    objs = [
        lb_ip_pool(),
        lb_service("cilium-gateway-main-gateway", "networking"),
        lb_service("just-created", "media", ip=None, age=timedelta(minutes=1)),
    ]
    assert findings("cilium-lb-ip-pool", objs) == []


def test_service_of_another_lb_class_is_not_ciliums() -> None:
    svc = lb_service("metallb-svc", "media", ip=None)
    svc["spec"]["loadBalancerClass"] = "metallb.universe.tf/metallb"
    assert findings("cilium-lb-ip-pool", [lb_ip_pool(), svc]) == []


def test_not_evaluated_without_pools_or_services() -> None:
    assert run_one("cilium-lb-ip-pool", []).status == "not_evaluated"
