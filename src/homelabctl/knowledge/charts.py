"""Helm chart values renamed or removed by a chart release: the old key is silently ignored."""

from __future__ import annotations

import msgspec


class Rename(msgspec.Struct, frozen=True):
    chart: str
    old: tuple[str, ...]
    new: str
    since: tuple[int, int, int]
    removed: bool
    """False when the old key still works for now (deprecated)."""
    note: str


RENAMED_VALUES: tuple[Rename, ...] = (
    Rename(
        "oauth2-proxy",
        ("service", "port"),
        "service.portNumber",
        (4, 0, 0),
        True,
        # oauth2-proxy/manifests 4d36457 (chart 4.0.0, June 2021): "`service.port` was renamed to
        # `service.portNumber`" in the chart's README upgrade notes
        "oauth2-proxy chart 4.0.0 renamed service.port to service.portNumber",
    ),
    Rename(
        "cert-manager",
        ("installCRDs",),
        "crds.enabled (and crds.keep)",
        (1, 15, 0),
        False,
        "cert-manager 1.15 replaced installCRDs with crds.enabled/crds.keep",
    ),
    Rename(
        "cilium",
        ("tunnel",),
        "routingMode: tunnel + tunnelProtocol: vxlan|geneve (or routingMode: native)",
        (1, 15, 0),
        True,
        "Cilium deprecated tunnel in 1.14 and removed it in 1.15",
    ),
)
