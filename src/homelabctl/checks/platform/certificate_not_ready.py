from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.platform._common import (
    ACME_CHALLENGE,
    CERTIFICATE_REQUEST,
    cert_names,
    condition_age,
    condition_text,
    innermost_error,
    one_line,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import certmanager, conditions
from homelabctl.k8s.certmanager import issuer_for
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import short_duration

# First issuance (HTTP-01 self-check, DNS propagation) takes a few minutes; before that, not Ready is normal.
ISSUANCE_GRACE = timedelta(minutes=10)


def _latest_request(ctx: CheckContext, cert: Resource) -> Resource | None:
    requests = ctx.index.children(cert, CERTIFICATE_REQUEST)
    if not requests:
        return None

    def revision(req: Resource) -> tuple[int, str]:
        raw = req.annotations.get("cert-manager.io/certificate-revision", "")
        return (int(raw) if raw.isdigit() else -1, req.creation_timestamp or "")

    return max(requests, key=revision)


def _challenges_by_namespace(ctx: CheckContext) -> dict[str | None, list[Resource]]:
    grouped: dict[str | None, list[Resource]] = {}
    for challenge in ctx.index.all(ACME_CHALLENGE):
        grouped.setdefault(challenge.namespace, []).append(challenge)
    return grouped


def _challenge_evidence(cert: Resource, challenges: Sequence[Resource]) -> list[str]:
    names = set(cert_names(cert))
    lines = []
    for challenge in challenges:
        found = certmanager.challenge(challenge)
        shown = found.shown_name
        if shown not in names:
            continue
        lines.append(
            f"challenge {challenge.name} ({found.type or '?'} for {shown}): "
            f"state={found.state or '?'} {one_line(found.reason, 300)}".rstrip()
        )
    return lines


@check(
    "certificate-not-ready",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.CERTIFICATE],
    uses=[CERTIFICATE_REQUEST, ACME_CHALLENGE, kinds.ISSUER, kinds.CLUSTER_ISSUER],
)
def certificate_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """cert-manager Certificate is not Ready: its Secret is missing, expired or cannot be (re)issued.

    Reads the Certificate's ``Ready`` and ``Issuing`` conditions, ``failedIssuanceAttempts`` and
    ``lastFailureTime``, then the latest CertificateRequest it owns (its ``Ready`` message carries the
    ACME order error) and, when present, the ACME Challenges for its names (``state`` and ``reason``, e.g.
    an HTTP-01 self-check getting 404 through the Gateway) and whether its issuer is Ready. A first
    issuance still inside its first 10 minutes with no failure yet is left alone.

    Why it matters: a Gateway listener whose certificate Secret is missing or expired serves no HTTPS at
    all - every ``*.domain`` service behind it is down for browsers.

    Next step: ``cmctl status certificate <name> -n <namespace>`` (or ``kubectl describe certificate``),
    then ``kubectl get certificaterequests,orders,challenges -n <namespace>``.
    """
    challenges: dict[str | None, list[Resource]] | None = None
    for cert in ctx.index.all(kinds.CERTIFICATE):
        ready = conditions.condition(cert, "Ready")
        if ready is None or ready.is_true:
            continue
        issuing = conditions.condition(cert, "Issuing")
        cert_status = certmanager.certificate_status(cert)
        failed_attempts = cert_status.failed_issuance_attempts
        issuing_failed = issuing is not None and issuing.is_false and issuing.reason == "Failed"
        age = condition_age(ready, ctx.now)
        if (
            not issuing_failed
            and not failed_attempts
            and ready.reason != "Expired"
            and age is not None
            and age < ISSUANCE_GRACE
        ):
            continue
        evidence = [condition_text(ready, 400)]
        if issuing is not None:
            evidence.append(condition_text(issuing, 600))
        if failed_attempts:
            evidence.append(
                f"failedIssuanceAttempts={failed_attempts} lastFailureTime="
                f"{cert_status.last_failure_time or '?'}"
            )
        evidence.append(
            f"secretName={certmanager.secret_name(cert) or '?'} dnsNames={', '.join(cert_names(cert))}"
        )
        request = _latest_request(ctx, cert)
        if request is not None:
            req_ready = conditions.condition(request, "Ready")
            if req_ready is not None:
                evidence.append(f"CertificateRequest {request.name}: {condition_text(req_ready, 600)}")
        if ctx.index.has(ACME_CHALLENGE):
            if challenges is None:
                challenges = _challenges_by_namespace(ctx)
            evidence += _challenge_evidence(cert, challenges.get(cert.namespace, []))
        issuer_gk, issuer, issuer_label = issuer_for(ctx.index, cert)
        if issuer is not None:
            issuer_ready = conditions.condition(issuer, "Ready")
            if issuer_ready is not None and issuer_ready.status != "True":
                evidence.append(f"{issuer_label}: {condition_text(issuer_ready, 300)}")
        elif issuer_gk and ctx.readable(issuer_gk):
            evidence.append(f"{issuer_label} does not exist")
        why = innermost_error(ready.message or ready.reason)
        if issuing_failed and issuing is not None:
            why = innermost_error(issuing.message)
        duration = f" for {short_duration(age)}" if age is not None else ""
        yield ctx.finding(
            cert,
            f"Certificate {cert.namespace}/{cert.name} is not Ready{duration}: {why}",
            evidence=evidence,
            hint=(
                f"`cmctl status certificate {cert.name} -n {cert.namespace}`, then "
                f"`kubectl get certificaterequests,orders,challenges -n {cert.namespace}` for the ACME error"
            ),
        )
