"""Metadata, top-level sections and owner references of any object."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, raw_of, section, string_map, text
from homelabctl.model import Resource


def metadata(obj: Obj) -> Mapping[str, Any]:
    return section(obj, "metadata")


def spec(obj: Obj) -> Mapping[str, Any]:
    return section(obj, "spec")


def status(obj: Obj) -> Mapping[str, Any]:
    return section(obj, "status")


def data(obj: Obj) -> Mapping[str, Any]:
    return section(obj, "data")


def field(obj: Obj, name: str) -> Any:
    """A top-level field other than the sections (``provisioner``, ``type``, ``reason``): raw, may be None."""
    return raw_of(obj).get(name)


def whole(obj: Obj) -> Mapping[str, Any]:
    """The object as one mapping (a Resource's ``raw``), for code that hands it on whole: a kubectl table
    printer, a serializer. Reading its fields is for the readers here."""
    return raw_of(obj)


def name(obj: Obj) -> str:
    return text(metadata(obj).get("name"))


def namespace(obj: Obj) -> str | None:
    return text(metadata(obj).get("namespace")) or None


def kind(obj: Obj) -> str:
    return text(raw_of(obj).get("kind"))


def api_version(obj: Obj) -> str:
    return text(raw_of(obj).get("apiVersion"))


def labels_of(obj: Obj) -> dict[str, str]:
    return string_map(metadata(obj).get("labels"))


def annotations_of(obj: Obj) -> dict[str, str]:
    return string_map(metadata(obj).get("annotations"))


def generation(obj: Obj) -> int | None:
    value = metadata(obj).get("generation")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def observed_generation(obj: Obj) -> int | None:
    value = status(obj).get("observedGeneration")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def creation_timestamp(obj: Obj) -> str | None:
    return text(metadata(obj).get("creationTimestamp")) or None


def deletion_timestamp(obj: Obj) -> str | None:
    return text(metadata(obj).get("deletionTimestamp")) or None


def is_applied(obj: Obj) -> bool:
    """Whether the object came from an API server rather than from a manifest never applied.

    The API server stamps every object with a uid, a resourceVersion and a creationTimestamp, and
    controllers write ``status``; a file in a GitOps repository has none of them.
    """
    meta = metadata(obj)  # run on every object: no generator, and a Resource's sections are read already
    if meta.get("uid") or meta.get("resourceVersion") or meta.get("creationTimestamp"):
        return True
    return bool(section(obj, "status"))


def never_applied(resources: Iterable[Resource]) -> list[Resource]:
    """The objects ``is_applied`` says never went through an API server, in one pass over a whole index: its
    test inlined on the sections each Resource read when it was made (a call per object was half the cost)."""
    found = []
    for res in resources:
        meta = res.metadata
        if not (
            meta.get("uid") or meta.get("resourceVersion") or meta.get("creationTimestamp") or res.status
        ):
            found.append(res)
    return found


class OwnerRef(msgspec.Struct, frozen=True):
    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool


def owner_refs(obj: Obj) -> tuple[OwnerRef, ...]:
    return tuple(
        OwnerRef(
            text(ref.get("apiVersion")),
            text(ref.get("kind")),
            text(ref.get("name")),
            text(ref.get("uid")),
            ref.get("controller") is True,
        )
        for ref in mappings(metadata(obj).get("ownerReferences"))
    )


def controller_owner(obj: Obj) -> OwnerRef | None:
    """The controlling owner; the first owner when none is marked controller (as older captures do)."""
    refs = owner_refs(obj)
    for ref in refs:
        if ref.controller:
            return ref
    return refs[0] if refs else None


def data_keys(obj: Obj) -> set[str]:
    """Keys a Secret or ConfigMap carries in ``data``, ``stringData`` or ``binaryData`` (values redacted)."""
    raw = raw_of(obj)
    return {str(key) for name in ("data", "stringData", "binaryData") for key in mapping(raw.get(name))}


def secret_value(secret: Obj, key: str) -> object:
    """A Secret's value for ``key`` from ``data``, else ``stringData`` (redaction markers, after loading)."""
    raw = raw_of(secret)
    found = mapping(raw.get("data")).get(key)
    return found if found is not None else mapping(raw.get("stringData")).get(key)
