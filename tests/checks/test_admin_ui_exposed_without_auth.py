from __future__ import annotations

from typing import Any

from factories import deployment
from factories_apps import (
    http_route,
    ingress,
    longhorn_ui,
    main_gateway,
    oauth2_proxy_deployment,
    oauth2_proxy_pod,
    oauth2_proxy_service,
    prometheus_service,
    prometheus_statefulset,
    service,
    sts_pod,
)
from helpers import findings, run_one

PROM_SVC = "kube-prometheus-stack-prometheus"


def prometheus() -> list[dict[str, Any]]:
    sts = prometheus_statefulset()
    return [sts, sts_pod(sts), prometheus_service()]


def test_prometheus_route_bypassing_the_deployed_oauth2_proxy_is_critical() -> None:
    route = http_route("prometheus", "monitoring", ["prometheus.fletcherlabs.net"], [(PROM_SVC, 9090)])
    o2p = oauth2_proxy_deployment()
    objs = [*prometheus(), route, main_gateway(), o2p, *oauth2_proxy_pod(o2p), oauth2_proxy_service()]
    found = findings("admin-ui-exposed-without-auth", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("HTTPRoute", "prometheus")]
    finding = found[0]
    assert finding.severity.value == "critical"
    assert finding.message == (
        "HTTPRoute monitoring/prometheus exposes Prometheus at prometheus.fletcherlabs.net "
        "with no authentication"
    )
    text = "\n".join(finding.evidence)
    assert "parent Gateway networking/main-gateway (sectionName https) at 192.168.10.224" in text
    assert (
        f"rule 0: backend Service monitoring/{PROM_SVC}:9090 is Prometheus (its pods are labelled "
        "app.kubernetes.io/name=prometheus), no auth filter"
    ) in text
    assert "Deployment monitoring/oauth2-proxy proxies to kube-prometheus-stack-prometheus.monitoring" in text
    assert "bypassing it" in text
    assert "Deployment monitoring/oauth2-proxy's Service" in finding.hint


def test_route_through_the_auth_proxy_or_an_auth_filter_is_silent() -> None:
    o2p = oauth2_proxy_deployment()
    via_proxy = http_route(
        "prometheus", "monitoring", ["prometheus.fletcherlabs.net"], [("oauth2-proxy", 80)]
    )
    filtered = http_route(
        "alertmanager",
        "monitoring",
        ["alertmanager.fletcherlabs.net"],
        [(PROM_SVC, 9090)],
        filters=[
            {
                "type": "ExtensionRef",
                "extensionRef": {
                    "group": "traefik.io",
                    "kind": "Middleware",
                    "name": "authentik-forward-auth",
                },
            }
        ],
    )
    grafana = deployment("grafana", "monitoring")
    grafana_svc = service(
        "grafana",
        "monitoring",
        {"app.kubernetes.io/name": "grafana"},
        [{"name": "http-web", "port": 80, "targetPort": 3000}],
    )
    grafana_route = http_route("grafana", "monitoring", ["grafana.fletcherlabs.net"], [("grafana", 80)])
    objs = [
        *prometheus(),
        o2p,
        *oauth2_proxy_pod(o2p),
        oauth2_proxy_service(),
        via_proxy,
        filtered,
        grafana,
        grafana_svc,
        grafana_route,
    ]
    assert findings("admin-ui-exposed-without-auth", objs) == []


def test_longhorn_ui_ingress_without_auth_annotation() -> None:
    deploy, rs, ui_pod, svc = longhorn_ui()
    open_ing = ingress("longhorn", "longhorn-system", "longhorn.fletcherlabs.net", "longhorn-frontend", 80)
    found = findings("admin-ui-exposed-without-auth", [deploy, rs, ui_pod, svc, open_ing])
    assert [(f.object.kind, f.object.name) for f in found] == [("Ingress", "longhorn")]
    assert "Longhorn UI" in found[0].message
    assert any("its pods are labelled app=longhorn-ui" in e for e in found[0].evidence)
    assert "kubectl port-forward -n longhorn-system svc/longhorn-frontend 80" in found[0].hint

    protected = ingress(
        "longhorn",
        "longhorn-system",
        "longhorn.fletcherlabs.net",
        "longhorn-frontend",
        80,
        annotations={
            "traefik.ingress.kubernetes.io/router.middlewares": "authentik-authentik-forward-auth@kubernetescrd"
        },
    )
    assert findings("admin-ui-exposed-without-auth", [deploy, rs, ui_pod, svc, protected]) == []


def test_route_not_accepted_yet_is_a_warning_and_service_name_is_enough() -> None:
    route = http_route(
        "hubble", "kube-system", ["hubble.fletcherlabs.net"], [("hubble-ui", 80)], accepted=False
    )
    found = findings("admin-ui-exposed-without-auth", [route])
    assert found[0].severity.value == "warning"
    assert "Hubble UI" in found[0].message
    assert any("by the Service's name (Service not in the snapshot)" in e for e in found[0].evidence)


def test_traefik_web_port_is_not_its_dashboard() -> None:
    traefik = service(
        "traefik",
        "kube-system",
        {"app.kubernetes.io/name": "traefik"},
        [
            {"name": "web", "port": 80, "targetPort": "web"},
            {"name": "traefik", "port": 9000, "targetPort": "traefik"},
        ],
    )
    web = http_route("apps", "kube-system", ["apps.fletcherlabs.net"], [("traefik", 80)])
    dash = http_route("traefik-dashboard", "kube-system", ["traefik.fletcherlabs.net"], [("traefik", 9000)])
    found = findings("admin-ui-exposed-without-auth", [traefik, web, dash])
    assert [f.object.name for f in found] == ["traefik-dashboard"]
    assert "Traefik dashboard" in found[0].message


def test_not_evaluated_without_routes_or_ingresses() -> None:
    assert run_one("admin-ui-exposed-without-auth", prometheus()).status == "not_evaluated"


def test_kubernetes_dashboard_has_a_token_login_so_it_is_a_warning() -> None:
    route = http_route(
        "dashboard",
        "kubernetes-dashboard",
        ["k8s.fletcherlabs.net"],
        [("kubernetes-dashboard-kong-proxy", 443)],
    )
    found = findings("admin-ui-exposed-without-auth", [route])
    assert [(f.severity.value, f.object.name) for f in found] == [("warning", "dashboard")]
    assert "Kubernetes Dashboard" in found[0].message


def test_an_extension_filter_that_is_not_auth_protects_nothing() -> None:
    route = http_route(
        "prometheus",
        "monitoring",
        ["prometheus.fletcherlabs.net"],
        [(PROM_SVC, 9090)],
        filters=[
            {
                "type": "ExtensionRef",
                "extensionRef": {"group": "traefik.io", "kind": "Middleware", "name": "strip-prefix"},
            }
        ],
    )
    found = findings("admin-ui-exposed-without-auth", [*prometheus(), route])
    assert [f.object.name for f in found] == ["prometheus"]


def test_service_name_words_answer_as_the_union_pattern() -> None:
    """The substring pre-test never hides a name a UI's pattern matches (every pattern holds one word)."""
    from homelabctl.knowledge.admin_uis import (
        ADMIN_UIS,
        ANY_UI_SERVICE_RE,
        ANY_UI_SERVICE_WORDS,
        may_be_ui_service_name,
    )

    for ui in ADMIN_UIS:
        assert any(word in ui.service_re.pattern for word in ANY_UI_SERVICE_WORDS), ui.name
    names = [
        "prometheus",
        "kube-prometheus-stack-prometheus",
        "prometheus-operated",
        "alertmanager-main",
        "prometheus-pushgateway",
        "longhorn-frontend",
        "hubble-ui",
        "kubernetes-dashboard-kong-proxy",
        "traefik-dashboard",
        "traefik",
        "app00001",
        "prometheus-node-exporter",
        "my-traefik-ingress",
        "grafana",
        "",
    ]
    for name in names:
        assert may_be_ui_service_name(name) is (ANY_UI_SERVICE_RE.search(name) is not None), name
