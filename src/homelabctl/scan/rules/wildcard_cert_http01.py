from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc
from homelabctl.scan.rules._common import as_dict, as_list

CM_GROUP = "cert-manager.io"


def _http01_only(issuer: Doc) -> bool:
    acme = as_dict(issuer.spec.get("acme"))
    solvers = [s for s in as_list(acme.get("solvers")) if isinstance(s, dict)]
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
        names = [str(n) for n in as_list(cert.spec.get("dnsNames"))]
        if isinstance(cert.spec.get("commonName"), str):
            names.append(cert.spec["commonName"])
        wildcards = sorted({n for n in names if n.startswith("*.")})
        ref = as_dict(cert.spec.get("issuerRef"))
        if not wildcards or not isinstance(ref.get("name"), str):
            continue
        kind = str(ref.get("kind") or "Issuer")
        issuer = _issuer(ctx, kind, ref["name"], ctx.graph.namespace_of(cert))
        if issuer is None or not _http01_only(issuer):
            continue
        yield _finding(ctx, cert, wildcards, issuer, cert.line_of("spec", "dnsNames"))
    for doc in ctx.objects("Ingress", "Gateway"):
        annotations = doc.metadata.get("annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        issuer_name = annotations.get("cert-manager.io/cluster-issuer") or annotations.get(
            "cert-manager.io/issuer"
        )
        if not isinstance(issuer_name, str):
            continue
        kind = "ClusterIssuer" if "cert-manager.io/cluster-issuer" in annotations else "Issuer"
        if doc.kind == "Ingress":
            hosts = [str(h) for t in as_list(doc.spec.get("tls")) for h in as_list(as_dict(t).get("hosts"))]
        else:
            hosts = [
                str(as_dict(listener).get("hostname", "")) for listener in as_list(doc.spec.get("listeners"))
            ]
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
