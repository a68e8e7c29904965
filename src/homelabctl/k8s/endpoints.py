"""EndpointSlices (discovery.k8s.io/v1) and the legacy Endpoints: which addresses back a Service."""

from __future__ import annotations

from dataclasses import dataclass

from homelabctl.k8s._raw import Obj, mapping, mappings, raw_of, section, strings, text

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True, slots=True)
class Endpoint:
    addresses: tuple[str, ...]
    ready: bool
    """``conditions.ready``; unset means ready, as the API documents it."""
    node: str = ""
    target: str = ""
    """``Pod <name>`` for the usual pod endpoint."""


def slice_service(endpoint_slice: Obj) -> str:
    return text(mapping(section(endpoint_slice, "metadata").get("labels")).get(SERVICE_NAME_LABEL))


def slice_endpoints(endpoint_slice: Obj) -> tuple[Endpoint, ...]:
    found = []
    for ep in mappings(raw_of(endpoint_slice).get("endpoints")):
        ready = mapping(ep.get("conditions")).get("ready")
        target = mapping(ep.get("targetRef"))
        found.append(Endpoint(strings(ep.get("addresses")), ready is not False, text(ep.get("nodeName")),
                              f"{text(target.get('kind'))} {text(target.get('name'))}".strip()))
    return tuple(found)


def endpoints_addresses(endpoints: Obj) -> tuple[Endpoint, ...]:
    """The ``subsets`` of a core Endpoints object: ``addresses`` are ready, ``notReadyAddresses`` are not."""
    found = []
    for subset in mappings(raw_of(endpoints).get("subsets")):
        for key, ready in (("addresses", True), ("notReadyAddresses", False)):
            for address in mappings(subset.get(key)):
                target = mapping(address.get("targetRef"))
                found.append(Endpoint((text(address.get("ip")),), ready, text(address.get("nodeName")),
                                      f"{text(target.get('kind'))} {text(target.get('name'))}".strip()))
    return tuple(found)


def ready_count(endpoints: tuple[Endpoint, ...]) -> int:
    return sum(len(ep.addresses) for ep in endpoints if ep.ready)
