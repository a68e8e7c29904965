from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.platform._common import cert_names, condition_text
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import certmanager, conditions
from homelabctl.model import Finding, Layer, Severity
from homelabctl.timeutil import parse_time, short_duration

WARN_WITHIN = timedelta(days=14)
CRITICAL_WITHIN = timedelta(days=3)
# cert-manager acts at renewalTime; give it an hour (and its retries) before calling renewal overdue.
RENEWAL_GRACE = timedelta(hours=1)


@check("certificate-expiring", layer=Layer.PLATFORM, severity=Severity.WARNING, requires=[kinds.CERTIFICATE])
def certificate_expiring(ctx: CheckContext) -> Iterator[Finding]:
    """cert-manager Certificate expires soon, has expired, or its renewal is overdue.

    Reads ``status.notAfter`` and ``status.renewalTime``. Expired or expiring within 3 days is critical,
    within 14 days a warning. A ``renewalTime`` more than an hour in the past is a warning even when expiry
    is far: cert-manager should have renewed and did not, so the ``Issuing`` condition and
    ``failedIssuanceAttempts`` are added as evidence. Let's Encrypt certificates live 90 days and renew at
    60, so a healthy one never comes within 14 days of expiry.

    Next step: ``cmctl status certificate <name> -n <namespace>`` for why renewal fails, fix the issuer or
    solver, then ``cmctl renew <name> -n <namespace>``.
    """
    for cert in ctx.index.all(kinds.CERTIFICATE):
        status = certmanager.certificate_status(cert)
        not_after = parse_time(status.not_after)
        renewal = parse_time(status.renewal_time)
        label = f"Certificate {cert.namespace}/{cert.name}"
        evidence = [f"notAfter={status.not_after or '?'}"]
        if renewal is not None:
            evidence.append(f"renewalTime={status.renewal_time}")
        issuing = conditions.condition(cert, "Issuing")
        if issuing is not None and issuing.is_false:
            evidence.append(condition_text(issuing, 500))
        if status.failed_issuance_attempts:
            evidence.append(
                f"failedIssuanceAttempts={status.failed_issuance_attempts} "
                f"lastFailureTime={status.last_failure_time or '?'}"
            )
        evidence.append(
            f"dnsNames={', '.join(cert_names(cert))} secretName={certmanager.secret_name(cert) or '?'}"
        )
        hint = (
            f"`cmctl status certificate {cert.name} -n {cert.namespace}` to see why renewal fails; after "
            f"fixing it, `cmctl renew {cert.name} -n {cert.namespace}`"
        )
        if not_after is not None:
            left = not_after - ctx.now
            if left <= timedelta(0):
                yield ctx.finding(
                    cert,
                    f"{label} expired {short_duration(-left)} ago ({status.not_after})",
                    evidence=evidence,
                    hint=hint,
                    severity=Severity.CRITICAL,
                )
                continue
            if left <= WARN_WITHIN:
                severity = Severity.CRITICAL if left <= CRITICAL_WITHIN else Severity.WARNING
                yield ctx.finding(
                    cert,
                    f"{label} expires in {short_duration(left)} ({status.not_after})",
                    evidence=evidence,
                    hint=hint,
                    severity=severity,
                )
                continue
        if renewal is not None and ctx.now - renewal > RENEWAL_GRACE:
            yield ctx.finding(
                cert,
                f"{label} was due for renewal {short_duration(ctx.now - renewal)} ago and has not been renewed",
                evidence=evidence,
                hint=hint,
            )
