"""JSON Schema validation of repository objects, with one compiled validator per (apiVersion, kind).

Two sources: the compact hand-written schemas shipped in ``schemas/kubernetes.json`` (required fields and
types of the kinds a homelab repo holds), and the ``openAPIV3Schema`` of every CustomResourceDefinition in
the repository, which takes precedence for its kinds. OpenAPI's ``nullable`` and Kubernetes'
``x-kubernetes-int-or-string`` are translated to JSON Schema on the way in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from homelabctl.scan.repo import Doc


@cache
def builtin_schemas() -> dict[str, Any]:
    text = resources.files("homelabctl.scan").joinpath("schemas/kubernetes.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def builtin_validator(key: str) -> Draft202012Validator | None:
    data = builtin_schemas()
    schema = data["kinds"].get(key)
    if schema is None:
        return None
    return Draft202012Validator({**schema, "$defs": data["$defs"]})


def openapi_to_jsonschema(node: Any) -> Any:
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_to_jsonschema(v) for k, v in node.items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


class SchemaSet:
    """Validators for one repository: its CRDs first, the shipped schemas second."""

    def __init__(self, crds: list[Doc]) -> None:
        self._crd_schemas: dict[str, tuple[Doc, Any]] = {}
        self._crd_validators: dict[str, Draft202012Validator] = {}
        for crd in crds:
            spec = crd.spec
            group = spec.get("group")
            names = spec["names"] if isinstance(spec.get("names"), dict) else {}
            kind = names.get("kind")
            if not isinstance(group, str) or not isinstance(kind, str):
                continue
            for version in spec.get("versions") or []:
                if not isinstance(version, dict) or not isinstance(version.get("name"), str):
                    continue
                schema = (version.get("schema") or {}).get("openAPIV3Schema") if isinstance(
                    version.get("schema"), dict) else None
                if isinstance(schema, dict):
                    self._crd_schemas[f"{group}/{version['name']}:{kind}"] = (crd, schema)

    @property
    def crd_kinds(self) -> set[str]:
        return set(self._crd_schemas)

    def validator(self, api_version: str, kind: str) -> tuple[Draft202012Validator | None, str]:
        """(validator, where its schema comes from)."""
        key = f"{api_version}:{kind}"
        if key in self._crd_schemas:
            crd, schema = self._crd_schemas[key]
            validator = self._crd_validators.get(key)
            if validator is None:
                validator = Draft202012Validator(openapi_to_jsonschema(schema))
                self._crd_validators[key] = validator
            return validator, f"CRD {crd.name} ({crd.path})"
        return builtin_validator(key), "homelabctl's built-in schema"


def errors_of(validator: Draft202012Validator, data: Any) -> Iterator[ValidationError]:
    if validator.is_valid(data):
        return
    yield from sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
