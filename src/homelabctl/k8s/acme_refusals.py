"""An ACME server refusing certificate orders on its own side (a rate limit, an internal error), read from
the cert-manager objects that quote its answer, and traced to the server through their issuer."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import certmanager
from homelabctl.k8s._raw import text
from homelabctl.k8s.refs import url_host
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef
from homelabctl.sources.index import ClusterIndex

_SERVER_SIDE = LazyPattern(r"urn:ietf:params:acme:error:(rateLimited|serverInternal)\b")
PROBLEMS = {"rateLimited": "rate limited", "serverInternal": "internal error"}
"""ACME problem types (RFC 8555 §6.7) that are the server's decision, not the cluster's configuration: a
refused challenge (``unauthorized``, ``incorrectResponse``, ``dns``) is the solver's business, not these."""
_RETRY_AFTER = LazyPattern(r"retry after (\S+?)[:,]?(?:\s|$)")
_MAX_TEXT = 4096


class AcmeRefusal(msgspec.Struct, frozen=True):
    """A Certificate (or its request) the ACME server refused, and what it said."""

    certificate: ObjectRef
    quoted_by: ObjectRef
    issuer: ObjectRef
    line: str
    retry_after: str


def server_problem(message: str) -> str:
    """The server-side ACME problem type an error quotes (``rateLimited``, ``serverInternal``), or ``""``."""
    found = _SERVER_SIDE.search(message[:_MAX_TEXT])
    return found.group(1) if found else ""


def refusals(index: ClusterIndex) -> dict[tuple[str, str], list[AcmeRefusal]]:
    """(ACME server host, problem type) → the Certificates whose issuance it refused (one per Certificate),
    from the failed conditions of Certificates and CertificateRequests."""
    found: dict[tuple[str, str], dict[ObjectRef, AcmeRefusal]] = {}
    for gk in (kinds.CERTIFICATE, kinds.CERTIFICATE_REQUEST):
        for obj in index.all(gk):
            for cond in obj.conditions:
                if text(cond.get("status")) != "False":
                    continue
                message = text(cond.get("message"))
                problem = server_problem(message)
                if not problem:
                    continue
                _, issuer, _ = certmanager.issuer_for(index, obj)
                acme = certmanager.acme(issuer) if issuer is not None else None
                host = url_host(acme.server) if acme is not None else None
                if issuer is None or not host:
                    continue
                certificate = obj if gk == kinds.CERTIFICATE else index.owner(obj)
                if certificate is None or certificate.gk != kinds.CERTIFICATE:
                    continue
                retry = _RETRY_AFTER.search(message[:_MAX_TEXT])
                found.setdefault((host.lower(), problem), {}).setdefault(
                    certificate.ref,
                    AcmeRefusal(
                        certificate.ref,
                        obj.ref,
                        issuer.ref,
                        " ".join(message.split())[:300],
                        retry.group(1) if retry else "",
                    ),
                )
                break
    return {key: sorted(refused.values(), key=lambda r: str(r.certificate)) for key, refused in found.items()}
