from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import ingresses
from homelabctl.k8s.meta import creation_timestamp
from homelabctl.model import Finding, Layer, Lifecycle, Severity
from homelabctl.timeutil import parse_time, short_duration


@check(
    "ingress-class-missing",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.INGRESS, kinds.INGRESS_CLASS],
    lifecycle=Lifecycle.PREVIEW,
)
def ingress_class_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Ingress naming an IngressClass that does not exist, and that no controller has given an address.

    Reads ``spec.ingressClassName`` of every Ingress, the IngressClasses of the cluster (with their
    ``spec.controller`` and the ``ingressclass.kubernetes.io/is-default-class`` annotation), and the
    Ingress's ``status.loadBalancer.ingress``. An Ingress with an address is served, whatever its class
    says (ingress-nginx's ``--ingress-class-by-name`` serves a class without an IngressClass object), so it
    is left alone. Ingresses that name their class only through the deprecated ``kubernetes.io/ingress.class``
    annotation, or not at all, are not judged: controllers compare those with their own flags, which the
    cluster's objects do not show. Not evaluated when IngressClasses could not be read.

    Why it matters: controllers only take the Ingresses of their own class. An Ingress copied from a guide
    written for another controller (``ingressClassName: nginx`` on K3s, which ships Traefik) is accepted by
    the API server and then ignored: no address, and its host answers the installed controller's 404 while
    the pods, the Service and its endpoints are all fine.

    Next step: set ``spec.ingressClassName`` to a class the cluster has (``kubectl get ingressclass``), and
    carry the annotations over to that controller's own (``nginx.ingress.kubernetes.io/*`` means nothing to
    Traefik); or install the controller the Ingress was written for.
    """
    classes = {ic.name: ic for ic in ctx.index.all(kinds.INGRESS_CLASS)}
    available = ", ".join(
        f"{name} ({ingresses.controller(ic) or 'no controller named'}"
        + (", the default)" if ingresses.is_default(ic) else ")")
        for name, ic in sorted(classes.items())
    )
    for ingress in ctx.index.all(kinds.INGRESS):
        wanted = ingresses.class_name(ingress)
        if not wanted or wanted in classes or ingresses.addresses(ingress):
            continue
        created = parse_time(creation_timestamp(ingress))
        age = f" for {short_duration(ctx.now - created)}" if created is not None else ""
        evidence = [
            f"spec.ingressClassName: {wanted}",
            f"IngressClasses in the cluster: {available}" if available else "the cluster has no IngressClass",
            f"status.loadBalancer has no address{age}",
        ]
        suggestion = next((name for name, ic in sorted(classes.items()) if ingresses.is_default(ic)), "")
        if not suggestion and len(classes) == 1:
            suggestion = next(iter(classes))
        yield ctx.finding(
            ingress,
            f"Ingress {ingress.namespace}/{ingress.name} asks for IngressClass {wanted}, which does not exist: "
            "no controller serves it",
            evidence=evidence,
            hint=(
                f"Set spec.ingressClassName to {suggestion} (and move its annotations to that controller's): "
                f"kubectl -n {ingress.namespace} edit ingress {ingress.name}"
                if suggestion
                else "Install the controller for this class, or set spec.ingressClassName to one the cluster has: "
                "kubectl get ingressclass"
            ),
        )
