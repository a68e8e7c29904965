from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.network._common import (
    CILIUM_GATEWAY_CONTROLLER,
    cilium_config,
    config_line,
    config_value,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import gateways as k8s_gateways
from homelabctl.model import Finding, Layer, Nature, Resource, Severity

ENABLE = "enable-gateway-api"
ALPN = "enable-gateway-api-alpn"
APP_PROTOCOL = "enable-gateway-api-app-protocol"
_HELM_VALUE = {
    ENABLE: "gatewayAPI.enabled",
    ALPN: "gatewayAPI.enableAlpn",
    APP_PROTOCOL: "gatewayAPI.enableAppProtocol",
}
_MAX_LISTED = 5


def _cilium_gateways(ctx: CheckContext) -> tuple[list[Resource], bool]:
    """Gateways served by Cilium, and whether Cilium serves Gateway API here at all.

    Without GatewayClasses in the snapshot every Gateway is assumed to be Cilium's: the ConfigMap exists.
    """
    gateways = list(ctx.index.all(kinds.GATEWAY_KIND))
    if not ctx.readable(kinds.GATEWAY_CLASS):
        return gateways, True
    classes = {
        gc.name
        for gc in ctx.index.all(kinds.GATEWAY_CLASS)
        if k8s_gateways.class_controller(gc) == CILIUM_GATEWAY_CONTROLLER
    }
    ours = [g for g in gateways if k8s_gateways.class_name(g) in classes]
    return ours, bool(ours) or (not gateways and bool(classes))


@check(
    "cilium-gateway-api-config",
    layer=Layer.NETWORK,
    severity=Severity.WARNING,
    requires=[kinds.CONFIGMAP],
    any_of=[kinds.GATEWAY_KIND, kinds.HTTPROUTE],
    uses=[kinds.GATEWAY_CLASS, kinds.DAEMONSET],
    nature=Nature.CONFIGURATION,
)
def cilium_gateway_api_config(ctx: CheckContext) -> Iterator[Finding]:
    """Cilium serves Gateway API without ALPN / app-protocol support (or without Gateway API enabled).

    Reads ``cilium-config`` (keys ``enable-gateway-api``, ``enable-gateway-api-alpn`` and
    ``enable-gateway-api-app-protocol``) when Gateways of a Cilium GatewayClass (controller
    ``io.cilium/gateway-controller``) or HTTPRoutes exist.

    Why it matters: without ALPN the Cilium gateway's Envoy does not negotiate HTTP/2 on TLS listeners,
    and without app-protocol it ignores a backend's ``appProtocol`` (h2c, gRPC, WebSocket): clients see
    connection resets on HTTPS. Without ``enable-gateway-api`` Cilium does not program Gateways at all,
    which is critical.

    Next step: set ``gatewayAPI.enabled``, ``gatewayAPI.enableAlpn`` and ``gatewayAPI.enableAppProtocol``
    to ``true`` in Cilium's Helm values, then restart the operator and agents.
    """
    config = cilium_config(ctx.index)
    if config is None:
        return
    gateways, served = _cilium_gateways(ctx)
    routes = ctx.index.all(kinds.HTTPROUTE)
    if not served or not (gateways or routes):
        return
    missing = [key for key in (ENABLE, ALPN, APP_PROTOCOL) if config_value(config, key) != "true"]
    if not missing:
        return
    evidence = [config_line(config, key) for key in (ENABLE, ALPN, APP_PROTOCOL)]
    for gw in gateways[:_MAX_LISTED]:
        listeners = ", ".join(
            f"{li.name or None}:{li.port}/{li.protocol or None}" for li in k8s_gateways.listeners(gw)
        )
        evidence.append(
            f"Gateway {gw.namespace}/{gw.name} (class {k8s_gateways.class_name(gw) or None}): {listeners}"
        )
    if len(gateways) > _MAX_LISTED:
        evidence.append(f"… and {len(gateways) - _MAX_LISTED} more Gateways")
    if routes:
        evidence.append(f"{len(routes)} HTTPRoute(s) in the cluster")
    if ENABLE in missing:
        message = (
            f"Cilium has {ENABLE} unset while Gateway API objects exist: Cilium does not program any Gateway"
        )
        severity = Severity.CRITICAL
    else:
        message = (
            f"Cilium serves Gateway API without {' and '.join(missing)}: HTTPS clients negotiating "
            "HTTP/2 and h2c/gRPC backends get connection resets"
        )
        severity = None
    values = ", ".join(f"`{_HELM_VALUE[key]}: true`" for key in missing)
    ns = config.namespace or "kube-system"
    yield ctx.finding(
        config,
        message,
        evidence=evidence,
        hint=(
            f"Set {values} in the Cilium Helm values (HelmRelease or K3s HelmChartConfig), then "
            f"`kubectl -n {ns} rollout restart deploy/cilium-operator ds/cilium`"
        ),
        severity=severity,
    )
