from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import services
from homelabctl.model import Finding, Layer, Lifecycle, Severity

MAX_PODS_LISTED = 3


@check(
    "service-target-port-unmatched",
    layer=Layer.NETWORK,
    severity=Severity.CRITICAL,
    requires=[kinds.SERVICE, kinds.POD],
    any_of=[kinds.ENDPOINT_SLICE, kinds.ENDPOINTS],
    lifecycle=Lifecycle.PREVIEW,
)
def service_target_port_unmatched(ctx: CheckContext) -> Iterator[Finding]:
    """Service's named targetPort matches no container port of the Ready pods it selects.

    Reads each Service with a selector whose ``spec.ports[].targetPort`` is a name (``http``), and the pods its
    selector matches that are Ready, and its EndpointSlices (or Endpoints). Fires when none of those pods has a
    container port of that name (in ``spec.containers[].ports[].name``, or a sidecar init container's) and the
    endpoint controllers published no ready address with one of the Service's ports (the pods listed in a slice
    without ports, an empty Endpoints object); not when no selected pod is Ready (then the pods are the trouble,
    and ``service-no-ready-endpoints`` says why). The evidence lists the port names the pods do have. Not
    evaluated when neither EndpointSlices nor Endpoints were read.

    Why it matters: the endpoint controllers resolve a named targetPort in each pod; a pod without that name is
    published with no port for that Service port (an EndpointSlice without ports, an empty Endpoints object), so
    kube-proxy sends it nothing. The pods run and are Ready, yet every connection to the Service fails: usually a
    container port renamed in one place and not in the Service.

    Next step: rename the Service's ``targetPort`` to the container port's name (or its number), or name the
    container port as the Service expects; then ``kubectl -n NS get endpointslices -l
    kubernetes.io/service-name=SVC`` lists the port.
    """
    if not any(services.has_named_target_port(svc) for svc in ctx.index.all(kinds.SERVICE)):
        return
    # Imported here: most Services target port numbers, and every module imported costs each run memory.
    from homelabctl.k8s import target_ports

    found = target_ports.unmatched_target_ports(
        ctx.index,
        slices_read=ctx.readable(kinds.ENDPOINT_SLICE),
        endpoints_read=ctx.readable(kinds.ENDPOINTS),
    )
    for ref, unmatched in sorted(found.items()):
        missing = ", ".join(f"'{target}' (port {port})" for port, target in unmatched.missing)
        evidence = [f"spec.ports[{port}].targetPort={target}" for port, target in unmatched.missing]
        evidence += [
            f"pod {name} (Ready): container ports named {', '.join(names) if names else '(none)'}"
            for name, names in unmatched.pods[:MAX_PODS_LISTED]
        ]
        if len(unmatched.pods) > MAX_PODS_LISTED:
            evidence.append(f"and {len(unmatched.pods) - MAX_PODS_LISTED} more Ready pod(s)")
        svc = ctx.index.get(kinds.SERVICE, ref.namespace, ref.name)
        yield ctx.finding(
            svc if svc is not None else ref,
            f"Service {ref.namespace}/{ref.name} targets the named port {missing}, which none of its "
            f"{len(unmatched.pods)} Ready pod(s) has: it has no usable endpoint for that port",
            evidence=evidence,
            hint=(
                f"Set the targetPort of Service {ref.namespace}/{ref.name} to a port name the pods have (or the "
                "container port number), or name the container port as the Service expects"
            ),
        )
