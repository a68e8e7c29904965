from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import certmanager, gateways
from homelabctl.k8s import meta as k8s_meta
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc

CM_GROUP = "cert-manager.io"


def _http01_only(issuer: Doc) -> bool:
    acme = certmanager.acme(issuer.data)
    solvers = [s for s in acme.solvers if isinstance(s, dict)] if acme is not None else []
    return bool(solvers) and all("http01" in s and "dns01" not in s for s in solvers)


def _issuer(ctx: ScanContext, kind: str, name: str, namespace: str | None) -> Doc | None:
    for doc in ctx.repo.of_kind(kind):
        if not doc.api_version.startswith(CM_GROUP + "/") or doc.name != name:
            continue
        if kind == "ClusterIssuer" or ctx.graph.namespace_of(doc) in (None, namespace):
            return doc
    return None


@rule("wildcard-cert-http01", layer=Layer.PLATFORM, severity=Severity.WARNING)
def wildcard_cert_http01(ctx: ScanContext) -> Iterator[Finding]:
    """A wildcard certificate is requested from an ACME issuer that only has HTTP-01 solvers.

    Reads cert-manager ``Certificate`` objects (and Ingresses/Gateways annotated with
    ``cert-manager.io/cluster-issuer``/``issuer``, which make cert-manager create one) whose names include
    ``*.``, and the ``Issuer``/``ClusterIssuer`` they reference in the repo. ACME (Let's Encrypt) only
    validates wildcard names with DNS-01: with HTTP-01 solvers only, the order stays pending and the
    certificate is never issued, or never renewed once the current one expires.

    Next step: add a ``dns01`` solver (e.g. Cloudflare API token) to the issuer, with a ``selector`` for the
    wildcard zone if HTTP-01 stays for the rest.
    """
    for cert in ctx.objects("Certificate"):
        if not cert.api_version.startswith(CM_GROUP + "/"):
            continue
        wildcards = sorted({n for n in certmanager.dns_names(cert.data) if n.startswith("*.")})
        ref = certmanager.issuer_ref(cert.data)
        if not wildcards or not ref.name:
            continue
        issuer = _issuer(ctx, ref.kind, ref.name, ctx.graph.namespace_of(cert))
        if issuer is None or not _http01_only(issuer):
            continue
        yield _finding(ctx, cert, wildcards, issuer, cert.line_of("spec", "dnsNames"))
    for doc in ctx.objects("Ingress", "Gateway"):
        annotations = k8s_meta.annotations_of(doc.data)
        issuer_name = annotations.get("cert-manager.io/cluster-issuer") or annotations.get(
            "cert-manager.io/issuer"
        )
        if not isinstance(issuer_name, str):
            continue
        kind = "ClusterIssuer" if "cert-manager.io/cluster-issuer" in annotations else "Issuer"
        if doc.kind == "Ingress":
            hosts = certmanager.ingress_tls_hosts(doc.data)
        else:
            hosts = [listener.hostname for listener in gateways.listeners(doc.data)]
        wildcards = sorted({h for h in hosts if h.startswith("*.")})
        issuer = _issuer(ctx, kind, issuer_name, ctx.graph.namespace_of(doc)) if wildcards else None
        if issuer is None or not _http01_only(issuer):
            continue
        yield _finding(ctx, doc, wildcards, issuer, doc.line)


def _finding(ctx: ScanContext, doc: Doc, wildcards: list[str], issuer: Doc, line: int) -> Finding:
    return ctx.finding(
        doc,
        f"{doc.kind} {doc.name} asks {issuer.kind} {issuer.name} for {', '.join(wildcards)}, but that issuer "
        f"only has HTTP-01 solvers, which cannot validate wildcard names",
        evidence=[
            f"names: {', '.join(wildcards)}",
            f"{issuer.kind} {issuer.name} ({issuer.path}): solvers are all http01",
        ],
        hint=f"Add a dns01 solver to {issuer.kind} {issuer.name} (with a selector for the wildcard zone)",
        line=line,
    )
