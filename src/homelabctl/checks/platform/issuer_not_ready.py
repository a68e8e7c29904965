from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import certificates_by_issuer, condition_text, one_line, since_text
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import certmanager, conditions
from homelabctl.model import Finding, Layer, Resource, Severity


@check(
    "issuer-not-ready",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    any_of=[kinds.ISSUER, kinds.CLUSTER_ISSUER],
    uses=[kinds.CERTIFICATE],
)
def issuer_not_ready(ctx: CheckContext) -> Iterator[Finding]:
    """cert-manager Issuer or ClusterIssuer is not Ready: nothing it signs can be issued or renewed.

    Reads the issuer's ``Ready`` condition (for ACME: ``ACMEAccountRegistered`` when the account exists;
    ``ErrRegisterACMEAccount``, ``ErrInitIssuer`` when it cannot register, e.g. a wrong server URL, a
    missing private-key Secret or no egress to the CA) and counts the Certificates that reference it.
    It is the common cause behind several ``certificate-not-ready`` findings at once.

    Next step: ``kubectl describe clusterissuer <name>`` and the cert-manager logs
    (``kubectl -n cert-manager logs deploy/cert-manager``); check the ACME server URL, the email and the
    ``privateKeySecretRef`` Secret.
    """
    users = certificates_by_issuer(ctx.index)
    for gk in (kinds.ISSUER, kinds.CLUSTER_ISSUER):
        for issuer in ctx.index.all(gk):
            finding = _evaluate(ctx, issuer, users.get((issuer.kind, issuer.namespace, issuer.name), []))
            if finding is not None:
                yield finding


def _evaluate(ctx: CheckContext, issuer: Resource, certs: list[str]) -> Finding | None:
    ready = conditions.condition(issuer, "Ready")
    if ready is None or ready.is_true:
        return None
    label = (
        f"{issuer.kind} {issuer.namespace}/{issuer.name}"
        if issuer.namespace
        else f"{issuer.kind} {issuer.name}"
    )
    evidence = [condition_text(ready, 500), f"lastTransitionTime={ready.last_transition_time or '?'}"]
    acme = certmanager.acme(issuer)
    if acme is not None and acme.server:
        evidence.append(f"spec.acme.server={acme.server}")
    if certs:
        evidence.append(
            f"{len(certs)} Certificate(s) use it: "
            + ", ".join(sorted(certs)[:8])
            + (" ..." if len(certs) > 8 else "")
        )
    command = "clusterissuer" if issuer.kind == "ClusterIssuer" else "issuer"
    namespace = f" -n {issuer.namespace}" if issuer.namespace else ""
    return ctx.finding(
        issuer,
        f"{label} is not Ready{since_text(ready, ctx.now)}: {one_line(ready.message or ready.reason, 200)}",
        evidence=evidence,
        hint=(
            f"`kubectl describe {command} {issuer.name}{namespace}` and "
            "`kubectl -n cert-manager logs deploy/cert-manager`; check the ACME server URL, email and "
            "privateKeySecretRef"
        ),
        severity=Severity.CRITICAL if certs or not ctx.readable(kinds.CERTIFICATE) else Severity.WARNING,
    )
