"""The k8s readers: typed results from real-shaped objects, safe defaults from wrongly typed ones."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.helpers import findings
from homelabctl.k8s import (
    _raw,
    conditions,
    events,
    gateways,
    meta,
    nodes,
    pods,
    routes,
    services,
    storage,
    workloads,
)
from homelabctl.k8s import selectors as k8s_selectors
from homelabctl.kube import workload_replicas
from homelabctl.model import Resource

from factories import container_status, deployment, node, pod
from factories_infra import httproute, pvc

HOSTILE: list[Any] = ["gw", 3, None, ["x"], {"a": "b"}, True]


def test_routes_read_parents_backends_and_status() -> None:
    route = Resource.from_raw(httproute("grafana", "monitoring", "grafana.example.net", "grafana", 3000))
    [parent] = routes.parent_refs(route)
    assert (parent.name, parent.namespace, parent.section_name, parent.is_gateway) == (
        "main-gateway",
        "networking",
        "https",
        True,
    )
    [backend] = routes.backend_refs(route)
    assert (backend.rule, backend.index, backend.name, backend.namespace, backend.port) == (
        0,
        0,
        "grafana",
        "monitoring",
        3000,
    )
    assert routes.hostnames(route) == ("grafana.example.net",)
    [status] = routes.parent_statuses(route)
    accepted = conditions.find(status.conditions, "Accepted")
    assert accepted is not None and accepted.is_true


@pytest.mark.parametrize("value", HOSTILE)
def test_route_readers_tolerate_any_shape(value: Any) -> None:
    raw = {
        "kind": "HTTPRoute",
        "metadata": {"name": "r", "namespace": "a"},
        "spec": {"parentRefs": value, "rules": value, "hostnames": value},
        "status": {"parents": value},
    }
    assert routes.parent_refs(raw) == ()
    assert routes.backend_refs(raw) == ()
    routes.rules(raw)
    routes.parent_statuses(raw)
    routes.ingress_backends({"spec": {"rules": value}})
    routes.ingress_hosts({"spec": {"rules": value}})
    raw_rules = {"spec": {"rules": [{"backendRefs": value, "filters": value}]}}
    assert routes.backend_refs(raw_rules) == ()


def test_parent_refs_as_strings_do_not_crash_the_checks() -> None:
    """Regression: ``parentRefs: ["gw"]`` crashed admin-ui-exposed-without-auth and httproute-not-accepted."""
    route = httproute(
        "prometheus", "monitoring", "prom.example.net", "kube-prometheus-stack-prometheus", 9090
    )
    route["spec"]["parentRefs"] = ["gw"]
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "other", "namespace": "monitoring", "uid": "u1"},
        "spec": {"selector": {"app": "x"}},
    }
    for check_id in ("admin-ui-exposed-without-auth", "httproute-not-accepted", "route-backend-unavailable"):
        findings(check_id, [route, svc])
    route["spec"]["rules"] = ["x", {"backendRefs": "svc"}]  # crashed route-backend-unavailable
    for check_id in ("admin-ui-exposed-without-auth", "httproute-not-accepted", "route-backend-unavailable"):
        findings(check_id, [route, svc])


@pytest.mark.parametrize("value", HOSTILE)
def test_pod_readers_tolerate_any_shape(value: Any) -> None:
    raw = {
        "kind": "Pod",
        "metadata": {"name": "p", "labels": value, "ownerReferences": value},
        "spec": {"containers": value, "volumes": value, "tolerations": value, "nodeName": value},
        "status": {"containerStatuses": value, "conditions": value, "phase": value},
    }
    assert pods.container_statuses(raw) == ()
    pods.containers(pods.pod_spec(raw))
    pods.volumes(pods.pod_spec(raw))
    pods.tolerations(pods.pod_spec(raw))
    pods.claim_names(raw)
    assert conditions.conditions(raw) == () or value == {"a": "b"}
    meta.labels_of(raw)
    meta.owner_refs(raw)
    meta.controller_owner(raw)


def test_container_statuses_with_last_state_and_oom() -> None:
    raw = pod(
        "db-0",
        "apps",
        containers=[{"name": "db", "image": "postgres:16", "resources": {"limits": {"memory": "512Mi"}}}],
    )
    oom = container_status("db", "postgres:16", ready=False, restarts=7)
    oom["lastState"] = {
        "terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2025-06-16T02:00:00Z"}
    }
    oom["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}}
    raw["status"]["containerStatuses"] = [oom, "garbage"]
    [cs] = pods.container_statuses(raw)
    assert (cs.restart_count, cs.waiting_reason, cs.oom_killed, cs.last_state.exit_code) == (
        7,
        "CrashLoopBackOff",
        True,
        137,
    )
    assert pods.restart_count(raw) == 7
    [container] = pods.containers(pods.pod_spec(raw))
    assert container.resources.get("memory") == "512Mi"


@pytest.mark.parametrize("value", ["zzz", None, [], {"a": 1}, 2.5, True])
def test_replicas_that_are_not_numbers_read_as_the_default(value: Any) -> None:
    raw = deployment("web", "apps", replicas=2, ready=1)
    raw["spec"]["replicas"] = value
    raw["status"]["readyReplicas"] = value
    counts = workloads.replicas(raw)
    assert counts.desired == 1 and counts.ready == 0
    assert workload_replicas(Resource.from_raw(raw)) == (0, 1)
    findings("workload-replicas-unavailable", [raw])


@given(
    st.sampled_from(["Deployment", "StatefulSet", "DaemonSet", None]),
    st.one_of(st.integers(-3, 5), st.text(max_size=3), st.none(), st.booleans(), st.floats(allow_nan=False)),
    st.one_of(st.integers(-3, 5), st.text(max_size=3), st.none(), st.booleans(), st.floats(allow_nan=False)),
)
def test_ready_and_desired_of_a_resource_is_the_document_reading(kind: Any, desired: Any, ready: Any) -> None:
    raw = {
        "kind": kind,
        "spec": {"replicas": desired},
        "status": {"readyReplicas": ready, "numberReady": ready, "desiredNumberScheduled": desired},
    }
    counts = workloads.replicas(raw)
    assert workloads.ready_and_desired(raw) == (counts.ready, counts.desired)
    assert workloads.ready_and_desired(Resource.from_raw(raw)) == (counts.ready, counts.desired)


def test_replicas_as_text_number() -> None:
    raw = deployment("web", "apps", replicas=3, ready=3)
    raw["spec"]["replicas"] = "3"
    assert workloads.replicas(raw).desired == 3


def test_node_taints_and_conditions() -> None:
    raw = node(
        "k3s2",
        ready="False",
        taints=[
            {
                "key": "node.kubernetes.io/unreachable",
                "effect": "NoExecute",
                "timeAdded": "2025-06-16T00:00:00Z",
            },
            "bad",  # type: ignore[list-item]
        ],
    )
    [taint] = nodes.taints(raw)
    assert taint.text == "node.kubernetes.io/unreachable:NoExecute" and taint.time_added
    assert conditions.is_true(raw, "Ready") is False
    assert nodes.kubelet_version(raw).startswith("v1.32")
    assert nodes.taints({"spec": {"taints": "x"}}) == ()


def test_claims_and_templates() -> None:
    raw = pvc("data", "apps", "local-path")
    info = storage.claim(raw)
    assert info.storage_class == "local-path" and info.phase == "Bound"
    assert storage.claim({"spec": {"storageClassName": None}}).storage_class is None
    assert storage.volume_claim_templates({"spec": {"volumeClaimTemplates": "x"}}) == ()
    assert storage.pv_pinned_hosts({"spec": {"nodeAffinity": "x"}}) == []


def test_services_events_gateways_selectors() -> None:
    svc = {
        "kind": "Service",
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}, "bad"],
        },
    }
    assert services.port(svc, "http") is not None and services.port(svc, 80) is not None
    selector = services.selector(svc)
    assert selector is not None and selector.matches({"app": "web"})
    assert services.selector({"spec": {"selector": "app=web"}}) is None
    event = events.event(
        {
            "type": "Warning",
            "reason": "FailedMount",
            "message": "m",
            "count": "x",
            "series": {"count": 4, "lastObservedTime": "t"},
        }
    )
    assert (event.count, event.last_seen) == (4, "t")
    assert gateways.addresses({"status": {"addresses": [{"value": "192.168.10.224"}, "x"]}}) == [
        "192.168.10.224"
    ]
    assert gateways.target_refs({"spec": {"targetRef": {"kind": "Gateway", "name": "gw"}}})[0].name == "gw"
    assert (
        k8s_selectors.selector_text({"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]})
        == "a in (b)"
    )
    assert k8s_selectors.label_selector("x") is None


def test_is_applied_tells_manifests_from_api_objects() -> None:
    assert meta.is_applied(pod("p", "apps"))
    assert not meta.is_applied({"kind": "Pod", "metadata": {"name": "p"}, "spec": {}})
    assert meta.is_applied({"kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Running"}})


def test_never_applied_is_is_applied_over_an_index() -> None:
    documents: list[dict[str, Any]] = [
        pod("p", "apps"),
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "manifest"}, "spec": {}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "s"}, "status": {"phase": "Running"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rv", "resourceVersion": "7"}},
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "c", "creationTimestamp": "2026-01-01T00:00:00Z"},
        },
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "empty-status"}, "status": {}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n", "uid": ""}, "status": None},
    ]
    resources = [Resource.from_raw(d) for d in documents]
    assert meta.never_applied(resources) == [r for r in resources if not meta.is_applied(r)]
    assert [r.name for r in meta.never_applied(resources)] == ["manifest", "empty-status", "n"]


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"storageClassName": None},
        {"storageClassName": ""},
        {"storageClassName": "local-path"},
        {"storageClassName": 5},
        "not a map",
    ],
)
def test_claim_class_name_is_the_claims_storage_class(spec: Any) -> None:
    pvc = Resource.from_raw(
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"}, "spec": spec}
    )
    assert storage.claim_class_name(pvc) == storage.claim(pvc).storage_class
    assert storage.claim_class_name(pvc.raw) == storage.claim(pvc.raw).storage_class


def test_string_map_keeps_scalars_as_text_in_order() -> None:
    value = {
        "app": "web",
        1: 2,
        "none": None,
        "list": ["x"],
        "map": {"a": "b"},
        "flag": True,
        "f": 1.5,
        "t": ("x",),
    }
    assert list(_raw.string_map(value).items()) == [
        ("app", "web"),
        ("1", "2"),
        ("none", ""),
        ("flag", "True"),
        ("f", "1.5"),
    ]
    assert _raw.string_map("app=web") == {} and _raw.string_map(None) == {}
