from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from homelabctl import kinds
from homelabctl.checks.platform._common import cert_names
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import certmanager, conditions
from homelabctl.k8s.certmanager import issuer_for
from homelabctl.model import Finding, Layer, Nature, Resource, Severity


def _selector_covers(solver: Mapping[str, Any], name: str, cert: Resource) -> bool:
    """cert-manager's solver selection, for one name: labels must match, then dnsNames / dnsZones."""
    selector = solver.get("selector") or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if cert.labels.get(str(key)) != str(value):
            return False
    dns_names = [str(n) for n in selector.get("dnsNames") or []]
    dns_zones = [str(z) for z in selector.get("dnsZones") or []]
    if not dns_names and not dns_zones:
        return True
    if name in dns_names:
        return True
    # cert-manager matches a wildcard's zone on the "*.example.com" form: the suffix test covers it.
    return any(name == zone or name.endswith("." + zone) for zone in dns_zones)


def _describe(solver: Mapping[str, Any]) -> str:
    kind = "dns01" if "dns01" in solver else "http01" if "http01" in solver else "unknown"
    detail = solver.get(kind) or {}
    flavour = ", ".join(sorted(detail)) if isinstance(detail, Mapping) else ""
    selector = solver.get("selector") or {}
    scope = ""
    if selector:
        parts = [f"{k}={v}" for k, v in sorted(selector.items())]
        scope = " selector " + "; ".join(parts)
    return f"{kind}{f' ({flavour})' if flavour else ''}{scope}"


@check(
    "certificate-wildcard-http01",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.CERTIFICATE],
    any_of=[kinds.ISSUER, kinds.CLUSTER_ISSUER],
    nature=Nature.CONFIGURATION,
)
def certificate_wildcard_http01(ctx: CheckContext) -> Iterator[Finding]:
    """Wildcard Certificate on an ACME issuer that can only solve HTTP-01.

    Reads Certificates with a ``*.domain`` name (``dnsNames`` or ``commonName``) and their issuer's
    ``spec.acme.solvers``. ACME CAs (Let's Encrypt) only validate wildcard names with DNS-01; cert-manager
    picks, per name, a solver whose ``selector`` (``matchLabels``, ``dnsNames``, ``dnsZones``) covers it,
    and with only ``http01`` solvers for the name the order fails ("no configured challenge solvers can be
    used for this challenge") and the Certificate is never issued. Issuers that are not ACME or are external
    (another API group) are skipped.

    Next step: add a ``dns01`` solver (e.g. ``cloudflare`` with an ``apiTokenSecretRef``) whose selector
    covers the zone (``dnsZones: [<domain>]``), or replace the wildcard with the explicit host names.
    """
    for cert in ctx.index.all(kinds.CERTIFICATE):
        wildcards = [n for n in cert_names(cert) if n.startswith("*.")]
        if not wildcards:
            continue
        _, issuer, issuer_label = issuer_for(ctx.index, cert)
        if issuer is None:
            continue  # unknown or unreadable issuer: certificate-not-ready says what happened
        acme = certmanager.acme(issuer)
        if acme is None:
            continue
        solvers = list(acme.solvers)
        uncovered = [
            name
            for name in wildcards
            if not any("dns01" in s and _selector_covers(s, name, cert) for s in solvers)
        ]
        if not uncovered:
            continue
        evidence = [
            f"spec.dnsNames: {', '.join(cert_names(cert))}",
            f"issuerRef: {issuer_label} (ACME server {acme.server or '?'})",
        ]
        evidence += [f"solver[{i}]: {_describe(s)}" for i, s in enumerate(solvers)] or [
            "spec.acme.solvers is empty"
        ]
        ready = conditions.condition(cert, "Ready")
        if ready is not None and ready.status != "True":
            evidence.append(f"Ready={ready.status} reason={ready.reason or '?'}")
        zones = sorted({name[2:] for name in uncovered})
        yield ctx.finding(
            cert,
            f"Certificate {cert.namespace}/{cert.name} asks for {', '.join(uncovered)} but {issuer_label} has no "
            "DNS-01 solver for it, and ACME cannot issue wildcards over HTTP-01",
            evidence=evidence,
            hint=(
                f"Add a dns01 solver to {issuer_label} (e.g. cloudflare with apiTokenSecretRef) with "
                f"selector.dnsZones: [{', '.join(zones)}], or list the exact host names instead of the wildcard"
            ),
        )
