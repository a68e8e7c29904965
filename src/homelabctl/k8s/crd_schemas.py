"""The OpenAPI schemas a CustomResourceDefinition declares, one per served version."""

from __future__ import annotations

from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, items, mapping, mappings, section, strings, text


class VersionSchema(msgspec.Struct, frozen=True):
    group: str
    version: str
    kind: str
    schema: dict[str, Any]
    """``schema.openAPIV3Schema`` as written."""


def version_schemas(crd: Obj) -> list[VersionSchema]:
    """Versions with a name and an ``openAPIV3Schema`` map; none when the group or kind is not a string."""
    spec = section(crd, "spec")
    group, kind = spec.get("group"), mapping(spec.get("names")).get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    found = []
    for version in items(spec.get("versions")):
        if not isinstance(version, dict) or not isinstance(version.get("name"), str):
            continue
        schema = mapping(version.get("schema")).get("openAPIV3Schema")
        if isinstance(schema, dict):
            found.append(VersionSchema(group, version["name"], kind, schema))
    return found


class ServedCrd(msgspec.Struct, frozen=True):
    """What an API server's discovery says about a CRD's resource: names, scope and served versions."""

    kind: str
    group: str
    plural: str
    singular: str
    """``spec.names.singular``, else the kind in lower case."""
    namespaced: bool
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    versions: tuple[str, ...]
    """Served versions, in the CRD's order (``served: false`` ones left out)."""
    storage_version: str | None
    printer_columns: dict[str, list[Any]]
    """``additionalPrinterColumns`` per version that declares them."""


def served(crd: Obj) -> ServedCrd | None:
    """None when the kind, group or plural is missing: no API server would serve it."""
    spec = section(crd, "spec")
    names = mapping(spec.get("names"))
    kind, group, plural = text(names.get("kind")), text(spec.get("group")), text(names.get("plural"))
    if not (kind and group and plural):
        return None
    versions: list[str] = []
    storage: str | None = None
    columns: dict[str, list[Any]] = {}
    for version in mappings(spec.get("versions")):
        name = text(version.get("name"))
        if not name or version.get("served") is False:
            continue
        versions.append(name)
        if version.get("storage"):
            storage = name
        if version.get("additionalPrinterColumns") is not None:
            columns[name] = items(version.get("additionalPrinterColumns"))
    return ServedCrd(
        kind,
        group,
        plural,
        text(names.get("singular")) or kind.lower(),
        text(spec.get("scope"), "Namespaced") != "Cluster",
        strings(names.get("shortNames")),
        strings(names.get("categories")),
        tuple(versions),
        storage,
        columns,
    )
