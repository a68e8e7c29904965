from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import certmanager, ingresses
from homelabctl.model import Finding, Layer, Lifecycle, Severity


@check(
    "ingress-tls-secret-missing",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.INGRESS, kinds.SECRET],
    uses=[kinds.CERTIFICATE],
    lifecycle=Lifecycle.PREVIEW,
)
def ingress_tls_secret_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Ingress whose ``spec.tls`` names a Secret that does not exist in its namespace.

    Reads every Ingress's ``spec.tls[].secretName`` and looks the Secret up in the Ingress's own namespace
    (an Ingress cannot use another namespace's Secret); says where a Secret of that name does exist. A
    Secret that a cert-manager Certificate of that namespace is to write (its ``spec.secretName``) is left to
    the certificate checks: it is not issued yet, and the Certificate says why. Not evaluated when Secrets
    could not be read.

    Why it matters: the controller cannot load the certificate ("secret cloud/NAME does not exist") and
    serves its default, self-signed one for those hosts (Traefik's ``TRAEFIK DEFAULT CERT``, ingress-nginx's
    ``Kubernetes Ingress Controller Fake Certificate``): browsers and API clients refuse the connection while
    the pods, the Service and the endpoints are all fine. A wildcard certificate kept in one namespace and
    named from Ingresses in others is the usual way in.

    Next step: put a copy of the Secret in the Ingress's namespace (a Certificate there, or a replicator such
    as reflector), or point ``secretName`` at a Secret of that namespace.
    """
    issuing = {(cert.namespace, certmanager.secret_name(cert)) for cert in ctx.index.all(kinds.CERTIFICATE)}
    for ingress in ctx.index.all(kinds.INGRESS):
        for name, hosts in ingresses.tls_secrets(ingress):
            if (ingress.namespace, name) in issuing or ctx.index.get(
                kinds.SECRET, ingress.namespace, name
            ) is not None:
                continue
            elsewhere = sorted(s.namespace or "" for s in ctx.index.all(kinds.SECRET) if s.name == name)
            where = (
                f"Secret {name} exists in namespace {', '.join(elsewhere)}: an Ingress can only use a Secret of its "
                f"own namespace ({ingress.namespace})"
                if elsewhere
                else f"no Secret {name} in any namespace"
            )
            evidence = [where, f"spec.tls secretName: {name} for {', '.join(hosts) or 'every host'}"]
            yield ctx.finding(
                ingress,
                f"Ingress {ingress.namespace}/{ingress.name} serves TLS from Secret {name}, which does not exist in "
                f"{ingress.namespace}: its hosts get the controller's default certificate",
                evidence=evidence,
                hint=f"Copy the Secret into {ingress.namespace} (or issue a Certificate there): kubectl -n "
                f"{ingress.namespace} get secret {name}",
            )
