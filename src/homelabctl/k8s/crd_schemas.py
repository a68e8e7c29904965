"""The OpenAPI schemas a CustomResourceDefinition declares, one per served version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homelabctl.k8s._raw import Obj, items, mapping, section


@dataclass(frozen=True, slots=True)
class VersionSchema:
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
