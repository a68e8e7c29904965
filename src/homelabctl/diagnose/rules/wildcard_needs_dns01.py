"""Cause rule ``wildcard-needs-dns01``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import certmanager
from homelabctl.model import Finding, Layer


def _issuer_step(ctx: RuleContext, cause: Finding) -> NextStep:
    """Open the issuer the Certificate names (``spec.issuerRef``) to add the dns01 solver."""
    text = "add a dns01 solver (e.g. Cloudflare API token) to the issuer, selected for the wildcard name"
    cert = ctx.resource(cause.object)
    ref = certmanager.issuer_ref(cert) if cert is not None else None
    if ref is None or not ref.name:
        return NextStep(
            text,
            f"kubectl -n {cause.object.namespace} get certificate {cause.object.name} "
            "-o jsonpath='{.spec.issuerRef}'",
        )
    kind = ref.kind
    ns = "" if kind == "ClusterIssuer" else f" -n {cause.object.namespace}"
    return NextStep(f"{text}: {kind} {ref.name}", f"kubectl get {kind.lower()} {ref.name}{ns} -o yaml")


@cause_rule("wildcard-needs-dns01", layer=Layer.PLATFORM, rank=0, causes={"certificate-wildcard-http01"})
def wildcard_needs_dns01(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A wildcard Certificate on an issuer with only HTTP-01 solvers can never be issued.

    Let's Encrypt validates wildcard names only over DNS-01. The Certificate stays not Ready, its Secret
    never appears, and the Gateway listener that serves it reports an invalid certificate ref: all grouped
    under the issuer mismatch.
    """
    impacted = ctx.reach(cause)
    return Explanation(
        impacted,
        f"{cause.message}: Let's Encrypt issues wildcard names only over DNS-01",
        list(cause.evidence),
        [
            _issuer_step(ctx, cause),
            NextStep(
                "watch the retry",
                f"kubectl -n {cause.object.namespace} describe certificate {cause.object.name}",
            ),
        ],
    )
