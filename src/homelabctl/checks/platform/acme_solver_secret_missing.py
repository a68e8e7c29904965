from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.platform._common import certificates_by_issuer
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import acme_solvers, certmanager
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_LINES = 5


def _cluster_resource_namespace(ctx: CheckContext) -> tuple[str, str]:
    """(namespace, where it comes from): the cert-manager controller's flag, else cert-manager's default."""
    for deploy in sorted(ctx.index.all(kinds.DEPLOYMENT), key=lambda d: (d.namespace or "", d.name)):
        found = acme_solvers.cluster_resource_namespace(deploy, deploy.namespace or "")
        if found:
            return found, f"--cluster-resource-namespace of Deployment {deploy.namespace}/{deploy.name}"
    return (
        acme_solvers.DEFAULT_CLUSTER_RESOURCE_NAMESPACE,
        "cert-manager's default cluster resource namespace",
    )


def _challenge_lines(ctx: CheckContext) -> dict[tuple[str, str | None, str], list[tuple[str, str]]]:
    """Issuer key → (missing Secret, the Challenge's words) for Challenges failing on a missing Secret."""
    found: dict[tuple[str, str | None, str], list[tuple[str, str]]] = {}
    for ch in ctx.index.all(kinds.ACME_CHALLENGE):
        info = acme_solvers.challenge_issuer(ch)
        if not info.missing_secret or not info.name:
            continue
        ns = None if info.kind == "ClusterIssuer" else ch.namespace
        found.setdefault((info.kind, ns, info.name), []).append(
            (
                info.missing_secret,
                f"Challenge {ch.namespace}/{ch.name} ({certmanager.challenge(ch).shown_name}): {info.reason}",
            )
        )
    return found


@check(
    "acme-solver-secret-missing",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.SECRET],
    any_of=[kinds.ISSUER, kinds.CLUSTER_ISSUER],
    uses=[kinds.ACME_CHALLENGE, kinds.CERTIFICATE, kinds.DEPLOYMENT],
)
def acme_solver_secret_missing(ctx: CheckContext) -> Iterator[Finding]:
    """ACME issuer whose DNS-01 solver references a Secret that does not exist.

    Reads every ``...SecretRef`` of ``spec.acme.solvers[].dns01.<provider>`` (Cloudflare ``apiTokenSecretRef``
    / ``apiKeySecretRef``, Route53 ``secretAccessKeySecretRef``, DigitalOcean, RFC2136, AzureDNS, Cloud DNS,
    ...) and looks for the Secret where cert-manager does: an Issuer's own namespace, and for a ClusterIssuer
    the cluster resource namespace (the controller's ``--cluster-resource-namespace``, ``cert-manager`` by
    default). Challenges whose ``status.reason`` says ``secret "x" not found`` are evidence. Critical when a
    Challenge already fails on it, warning while no renewal has needed it yet.

    Why it matters: the issuer still reports Ready (registering the ACME account needs no DNS credentials),
    the current certificate keeps serving, and every issuance or renewal through that solver fails until the
    certificate expires. A Secret moved to another namespace is the usual way to get here.

    Next step: create the Secret in the namespace cert-manager reads (``kubectl -n cert-manager get secret
    NAME``), or point the solver's secretRef at one that exists; then ``kubectl cert-manager renew`` or delete
    the failing Challenge.
    """
    crn, crn_source = _cluster_resource_namespace(ctx)
    challenges = _challenge_lines(ctx)
    users = certificates_by_issuer(ctx.index)
    for gk in (kinds.ISSUER, kinds.CLUSTER_ISSUER):
        for issuer in sorted(ctx.index.all(gk), key=lambda i: (i.namespace or "", i.name)):
            key = (issuer.kind, issuer.namespace, issuer.name)
            finding = _evaluate(ctx, issuer, crn, crn_source, challenges.get(key, []), users.get(key, []))
            if finding is not None:
                yield finding


def _evaluate(
    ctx: CheckContext,
    issuer: Resource,
    crn: str,
    crn_source: str,
    challenges: list[tuple[str, str]],
    certs: list[str],
) -> Finding | None:
    namespace = issuer.namespace or crn
    missing: dict[str, list[str]] = {}
    for ref in acme_solvers.issuer_dns01_secrets(issuer):
        if ctx.index.get(kinds.SECRET, namespace, ref.name) is None:
            missing.setdefault(ref.name, []).append(f"spec.acme.solvers[].{ref.field}")
    for name, _ in challenges:
        if name not in missing and ctx.index.get(kinds.SECRET, namespace, name) is None:
            missing.setdefault(name, []).append("a Challenge's solver")
    if not missing:
        return None
    label = (
        f"{issuer.kind} {issuer.namespace}/{issuer.name}"
        if issuer.namespace
        else f"{issuer.kind} {issuer.name}"
    )
    evidence = []
    for name, fields in sorted(missing.items()):
        evidence.append(f"{', '.join(fields)} names Secret {namespace}/{name}: not found")
        elsewhere = sorted(
            s.namespace or ""
            for s in ctx.index.all(kinds.SECRET)
            if s.name == name and s.namespace != namespace
        )
        if elsewhere:
            evidence.append(
                f"a Secret {name} exists in {', '.join(elsewhere[:3])}, but "
                + (
                    f"a ClusterIssuer reads Secrets only from {namespace} ({crn_source})"
                    if issuer.namespace is None
                    else f"an Issuer reads Secrets only from its own namespace {namespace}"
                )
            )
    failing = [line for name, line in challenges if name in missing]
    evidence.extend(failing[:MAX_LINES])
    if certs:
        evidence.append(f"{len(certs)} Certificate(s) use it: {', '.join(sorted(certs)[:MAX_LINES])}")
    first = sorted(missing)[0]
    return ctx.finding(
        issuer,
        f"{label}: its DNS-01 solver needs Secret {namespace}/{first}, which does not exist; "
        + (
            "issuance and renewal through it fail"
            if failing
            else "the next issuance or renewal through it will fail"
        ),
        evidence=evidence,
        hint=(
            f"Create the Secret where cert-manager reads it (`kubectl -n {namespace} get secret {first}`; "
            f"copy or move it to {namespace}), or point the solver's secretRef at an existing one "
            f"(`kubectl get {issuer.kind.lower()} {issuer.name}"
            + (f" -n {issuer.namespace}" if issuer.namespace else "")
            + " -o yaml`)"
        ),
        severity=Severity.CRITICAL if failing else Severity.WARNING,
    )
