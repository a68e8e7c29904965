"""cert-manager: Certificates, Issuers/ClusterIssuers (ACME solvers), Challenges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.k8s._raw import Obj, integer, mapping, mappings, section, strings, text
from homelabctl.model import Resource


class IssuerRef(msgspec.Struct, frozen=True):
    group: str
    kind: str
    name: str


def issuer_ref(cert: Obj) -> IssuerRef:
    ref = mapping(section(cert, "spec").get("issuerRef"))
    return IssuerRef(
        text(ref.get("group")) or "cert-manager.io", text(ref.get("kind")) or "Issuer", text(ref.get("name"))
    )


def issuer_for(index: Any, cert: Resource) -> tuple[str, Resource | None, str]:
    """(gk, issuer or None, "ClusterIssuer letsencrypt-prod") for a Certificate's (or CertificateRequest's)
    ``spec.issuerRef``.

    The gk is empty for external issuers (another API group), which cert-manager hands to their own
    controllers: nothing about their solvers can be read here.
    """
    ref = issuer_ref(cert)
    group, kind, name = ref.group, ref.kind, ref.name
    label = f"{kind} {name}"
    if group != kinds.CERT_MANAGER or kind not in ("Issuer", "ClusterIssuer"):
        return "", None, label
    if kind == "ClusterIssuer":
        return kinds.CLUSTER_ISSUER, index.get(kinds.CLUSTER_ISSUER, None, name), label
    return kinds.ISSUER, index.get(kinds.ISSUER, cert.namespace, name), f"Issuer {cert.namespace}/{name}"


def dns_names(cert: Obj) -> list[str]:
    """``spec.commonName`` first (when not also a DNS name), then ``spec.dnsNames``."""
    spec = section(cert, "spec")
    names = list(strings(spec.get("dnsNames")))
    common = text(spec.get("commonName"))
    if common and common not in names:
        names.insert(0, common)
    return names


def secret_name(cert: Obj) -> str:
    return text(section(cert, "spec").get("secretName"))


def ingress_tls_hosts(ingress: Obj) -> list[str]:
    """``spec.tls[].hosts`` of an Ingress: the names cert-manager's ingress-shim puts in the Certificate."""
    return [
        host
        for entry in mappings(section(ingress, "spec").get("tls"))
        for host in strings(entry.get("hosts"))
    ]


class CertificateStatus(msgspec.Struct, frozen=True):
    not_after: str
    renewal_time: str
    failed_issuance_attempts: int
    last_failure_time: str


def certificate_status(cert: Obj) -> CertificateStatus:
    status = section(cert, "status")
    return CertificateStatus(
        text(status.get("notAfter")),
        text(status.get("renewalTime")),
        integer(status.get("failedIssuanceAttempts")),
        text(status.get("lastFailureTime")),
    )


class Acme(msgspec.Struct, frozen=True):
    server: str
    solvers: tuple[Any, ...]
    """The ``solvers`` entries that are maps, as written (their shape is provider-specific)."""


def acme(issuer: Obj) -> Acme | None:
    """``spec.acme`` of an ACME Issuer/ClusterIssuer; None for other issuer types."""
    found = section(issuer, "spec").get("acme")
    if not isinstance(found, Mapping):
        return None
    return Acme(text(found.get("server")), tuple(mappings(found.get("solvers"))))


class Challenge(msgspec.Struct, frozen=True):
    dns_name: str
    wildcard: bool
    type: str
    state: str
    reason: str

    @property
    def shown_name(self) -> str:
        return f"*.{self.dns_name}" if self.wildcard else self.dns_name


def challenge(obj: Obj) -> Challenge:
    spec, status = section(obj, "spec"), section(obj, "status")
    return Challenge(
        text(spec.get("dnsName")),
        spec.get("wildcard") is True,
        text(spec.get("type")),
        text(status.get("state")),
        text(status.get("reason")),
    )
