"""Gateway API Gateways (addresses, listeners) and policy attachment (``targetRef``/``targetRefs``)."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, opt_integer, section, text
from homelabctl.k8s.conditions import Condition, conditions_of


def addresses(gateway: Obj) -> list[str]:
    return [
        value
        for a in mappings(section(gateway, "status").get("addresses"))
        if (value := text(a.get("value")))
    ]


def class_name(gateway: Obj) -> str:
    return text(section(gateway, "spec").get("gatewayClassName"))


class CertificateRef(msgspec.Struct, frozen=True):
    group: str
    kind: str
    name: str
    namespace: str | None


class Listener(msgspec.Struct, frozen=True):
    name: str
    protocol: str
    port: int | None
    hostname: str
    certificate_refs: tuple[CertificateRef, ...] = ()


def listeners(gateway: Obj) -> tuple[Listener, ...]:
    own = text(section(gateway, "metadata").get("namespace")) or None
    return tuple(
        Listener(
            text(entry.get("name")),
            text(entry.get("protocol")),
            opt_integer(entry.get("port")),
            text(entry.get("hostname")),
            tuple(
                CertificateRef(
                    text(ref.get("group")),
                    text(ref.get("kind")) or "Secret",
                    text(ref.get("name")),
                    text(ref.get("namespace")) or own,
                )
                for ref in mappings(mapping(entry.get("tls")).get("certificateRefs"))
            ),
        )
        for entry in mappings(section(gateway, "spec").get("listeners"))
    )


class ListenerStatus(msgspec.Struct, frozen=True):
    name: str
    attached_routes: int | None
    conditions: tuple[Condition, ...]


def listener_statuses(gateway: Obj) -> tuple[ListenerStatus, ...]:
    return tuple(
        ListenerStatus(
            text(entry.get("name")),
            opt_integer(entry.get("attachedRoutes")),
            conditions_of(entry.get("conditions")),
        )
        for entry in mappings(section(gateway, "status").get("listeners"))
    )


class TargetRef(msgspec.Struct, frozen=True):
    group: str
    kind: str
    name: str


def target_refs(policy: Obj) -> tuple[TargetRef, ...]:
    """A policy's ``targetRefs`` plus its older single ``targetRef``."""
    spec = section(policy, "spec")
    refs = [*mappings(spec.get("targetRefs"))]
    if mapping(spec.get("targetRef")):
        refs.append(mapping(spec.get("targetRef")))
    return tuple(
        TargetRef(text(r.get("group")), text(r.get("kind")), text(r.get("name")))
        for r in refs
        if text(r.get("name"))
    )


def class_controller(gateway_class: Obj) -> str:
    return text(section(gateway_class, "spec").get("controllerName"))
