from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import acme_refusals
from homelabctl.k8s.refs import external_host
from homelabctl.model import Finding, Layer, Lifecycle, Severity

MAX_LISTED = 5
_HINTS = {
    "rateLimited": (
        "Nothing in the cluster makes {host} issue sooner: wait for the retry time it gives{retry}. Stop deleting "
        "and recreating the Certificate or its Secret (each time is a new order), and test against the ACME "
        "server's staging endpoint"
    ),
    "serverInternal": "The ACME server fails on its side: check its status page; cert-manager retries on its own",
}


@check(
    "acme-server-refusing",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.CERTIFICATE],
    uses=[kinds.CERTIFICATE_REQUEST, kinds.ISSUER, kinds.CLUSTER_ISSUER],
    lifecycle=Lifecycle.PREVIEW,
)
def acme_server_refusing(ctx: CheckContext) -> Iterator[Finding]:
    """ACME server refusing certificate orders on its side: a rate limit or an internal error.

    Reads the failed conditions of Certificates and CertificateRequests for the ACME problem types that are
    the server's decision (RFC 8555): ``urn:ietf:params:acme:error:rateLimited`` (Let's Encrypt: ``429 ...
    too many certificates (5) already issued for this exact set of identifiers ..., retry after ...``) and
    ``urn:ietf:params:acme:error:serverInternal``. The server is the host of the ``spec.acme.server`` of the
    Issuer or ClusterIssuer the Certificate names. One finding per server and problem, on the pseudo-object
    ``ExternalHost <server>``, listing the Certificates refused and when the server says to retry.

    Why it matters: a refused order is not a cluster misconfiguration. Re-applying, deleting the Secret or
    recreating the Certificate places new orders and, under a rate limit, only pushes the retry date out;
    the Certificate stays unissued until the server allows it.

    Next step: wait for the retry time the server gives (Let's Encrypt's limits:
    https://letsencrypt.org/docs/rate-limits/), stop recreating the Certificate or its Secret, and test
    issuance against the server's staging endpoint.
    """
    for (host, problem), refused in sorted(acme_refusals.refusals(ctx.index).items()):
        evidence = [
            f"{r.quoted_by.kind} {r.quoted_by.namespace}/{r.quoted_by.name}: {r.line}" for r in refused
        ]
        evidence = evidence[:MAX_LISTED] + (
            [f"and {len(refused) - MAX_LISTED} more"] if len(refused) > MAX_LISTED else []
        )
        issuers = sorted({f"{r.issuer.kind} {r.issuer.name}" for r in refused})
        evidence.append(f"server of {', '.join(issuers)}: {host}")
        retry = max((r.retry_after for r in refused), default="")
        yield ctx.finding(
            external_host(host),
            f"ACME server {host} refuses certificate orders ({acme_refusals.PROBLEMS[problem]}): "
            f"{len(refused)} Certificate(s) cannot be issued",
            evidence=evidence,
            hint=_HINTS[problem].format(host=host, retry=f" ({retry})" if retry else ""),
        )
