from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import as_dict, dig, truthy, values_line

FLAGS = (("enableAlpn", "enable-gateway-api-alpn"), ("enableAppProtocol", "enable-gateway-api-app-protocol"))


@rule("cilium-gateway-api-flags", layer=Layer.NETWORK, severity=Severity.WARNING)
def cilium_gateway_api_flags(ctx: ScanContext) -> Iterator[Finding]:
    """Cilium Gateway API is enabled without ALPN and app-protocol support.

    Reads Cilium HelmRelease values (``gatewayAPI.enabled`` with ``gatewayAPI.enableAlpn`` and
    ``gatewayAPI.enableAppProtocol``, or the same flags in ``extraConfig``) and a ``cilium-config``
    ConfigMap committed as a manifest (``enable-gateway-api`` with ``enable-gateway-api-alpn`` and
    ``enable-gateway-api-app-protocol``). Without ALPN the Gateway's TLS listeners cannot negotiate HTTP/2
    (gRPC breaks, browsers get connection resets); without app-protocol, backends declaring
    ``appProtocol`` (h2c, gRPC) are spoken to in HTTP/1.1.

    Next step: set ``gatewayAPI.enableAlpn: true`` and ``gatewayAPI.enableAppProtocol: true`` and restart
    the cilium-operator and agents.
    """
    for hr in ctx.helm_releases("cilium"):
        if not truthy(dig(hr.values, "gatewayAPI", "enabled")):
            continue
        extra = as_dict(hr.values.get("extraConfig"))
        missing = [
            f"gatewayAPI.{key}"
            for key, flag in FLAGS
            if not truthy(dig(hr.values, "gatewayAPI", key)) and not truthy(extra.get(flag))
        ]
        if not missing:
            continue
        yield ctx.finding(
            hr.doc,
            f"HelmRelease {hr.namespace}/{hr.name} enables Cilium Gateway API without {' and '.join(missing)}",
            evidence=["values.gatewayAPI.enabled: true", *(f"{m}: not true" for m in missing)],
            hint="Set "
            + " and ".join(f"{m}: true" for m in missing)
            + "; then restart cilium-operator and the agents",
            line=values_line(hr, "gatewayAPI", "enabled"),
        )
    for doc in ctx.objects("ConfigMap"):
        if doc.name != "cilium-config":
            continue
        data = as_dict(doc.data.get("data"))
        if not truthy(data.get("enable-gateway-api")):
            continue
        missing = [flag for _key, flag in FLAGS if not truthy(data.get(flag))]
        if not missing:
            continue
        yield ctx.finding(
            doc,
            f"ConfigMap {ctx.graph.namespace_of(doc) or 'kube-system'}/cilium-config enables Gateway API without "
            f"{' and '.join(missing)}",
            evidence=['enable-gateway-api: "true"', *(f'{m}: not "true"' for m in missing)],
            hint="Add "
            + ", ".join(f'{m}: "true"' for m in missing)
            + "; then restart cilium-operator and the agents",
            line=doc.line_of("data", "enable-gateway-api"),
        )
