from __future__ import annotations

from factories_infra import cilium_config, gateway, gateway_class, httproute
from helpers import findings, run_one


def _gateway_api() -> list[dict[str, object]]:
    return [
        gateway_class(),
        gateway(),
        httproute(
            "prometheus",
            "monitoring",
            "prometheus.fletcherlabs.net",
            "kube-prometheus-stack-prometheus",
            9090,
        ),
    ]


def test_fires_when_alpn_and_app_protocol_are_missing() -> None:
    config = cilium_config(enable_gateway_api_alpn=None, enable_gateway_api_app_protocol="false")
    found = findings("cilium-gateway-api-config", [config, *_gateway_api()])
    assert [(f.object.kind, f.object.namespace, f.object.name) for f in found] == [
        ("ConfigMap", "kube-system", "cilium-config")
    ]
    f = found[0]
    assert f.message.startswith(
        "Cilium serves Gateway API without enable-gateway-api-alpn and enable-gateway-api-app-protocol"
    )
    assert "kube-system/cilium-config enable-gateway-api-alpn: <absent>" in f.evidence
    assert 'kube-system/cilium-config enable-gateway-api-app-protocol: "false"' in f.evidence
    assert "Gateway networking/main-gateway (class cilium): http:80/HTTP, https:443/HTTPS" in f.evidence
    assert "`gatewayAPI.enableAlpn: true`" in f.hint and "`gatewayAPI.enableAppProtocol: true`" in f.hint
    assert f.severity.value == "warning"


def test_gateway_api_disabled_is_critical() -> None:
    found = findings(
        "cilium-gateway-api-config", [cilium_config(enable_gateway_api="false"), *_gateway_api()]
    )
    assert found[0].severity.value == "critical"
    assert "does not program any Gateway" in found[0].message


def test_silent_when_configured_or_gateways_belong_to_another_controller() -> None:
    assert findings("cilium-gateway-api-config", [cilium_config(), *_gateway_api()]) == []
    other = [
        gateway_class("envoy", "gateway.envoyproxy.io/gatewayclass-controller"),
        gateway(class_name="envoy"),
    ]
    assert findings("cilium-gateway-api-config", [cilium_config(enable_gateway_api_alpn=None), *other]) == []


def test_not_evaluated_without_gateway_api_objects() -> None:
    assert run_one("cilium-gateway-api-config", [cilium_config()]).status == "not_evaluated"
