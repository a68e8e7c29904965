"""JSON Schema validation of repository objects, with one compiled validator per (apiVersion, kind).

Two sources: the compact hand-written schemas shipped in ``schemas/kubernetes.json`` (required fields and
types of the kinds a homelab repo holds), and the ``openAPIV3Schema`` of every CustomResourceDefinition in
the repository, which takes precedence for its kinds. OpenAPI's ``nullable`` and Kubernetes'
``x-kubernetes-int-or-string`` are translated to JSON Schema on the way in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from homelabctl.k8s.crd_schemas import version_schemas
from homelabctl.scan.repo import Doc

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


class LazyValidator:
    """A jsonschema validator built on first use. The compiled fast check answers for valid objects,
    so jsonschema (a tenth of a scan process's start-up) is imported only when something is invalid."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._validator: Draft202012Validator | None = None

    @property
    def validator(self) -> Draft202012Validator:
        if self._validator is None:
            from jsonschema import Draft202012Validator

            self._validator = Draft202012Validator(self.schema)
        return self._validator

    def is_valid(self, data: Any) -> bool:
        return bool(self.validator.is_valid(data))

    def iter_errors(self, data: Any) -> Iterator[ValidationError]:
        return self.validator.iter_errors(data)


@cache
def builtin_schemas() -> dict[str, Any]:
    text = resources.files("homelabctl.scan").joinpath("schemas/kubernetes.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def builtin_validator(key: str) -> LazyValidator | None:
    data = builtin_schemas()
    schema = data["kinds"].get(key)
    if schema is None:
        return None
    return LazyValidator({**schema, "$defs": data["$defs"]})


@cache
def builtin_check(key: str) -> Check | None:
    data = builtin_schemas()
    schema = data["kinds"].get(key)
    return compile_check(schema, data["$defs"]) if schema is not None else None


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
        self._crd_validators: dict[str, tuple[LazyValidator, Check | None]] = {}
        for crd in crds:
            for found in version_schemas(crd.data):
                self._crd_schemas[f"{found.group}/{found.version}:{found.kind}"] = (crd, found.schema)

    def validator(self, api_version: str, kind: str) -> tuple[LazyValidator | None, Check | None, str]:
        """(validator, fast yes/no check or None, where the schema comes from)."""
        key = f"{api_version}:{kind}"
        if key in self._crd_schemas:
            crd, schema = self._crd_schemas[key]
            cached = self._crd_validators.get(key)
            if cached is None:
                converted = openapi_to_jsonschema(schema)
                cached = (LazyValidator(converted), compile_check(converted))
                self._crd_validators[key] = cached
            return cached[0], cached[1], f"CRD {crd.name} ({crd.path})"
        return builtin_validator(key), builtin_check(key), "homelabctl's built-in schema"


Check = Callable[[Any], bool]
_IGNORED = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "format",
        "readOnly",
        "writeOnly",
        "deprecated",
        "$defs",
        "definitions",
    }
)
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class _Unsupported(Exception):
    pass


def compile_check(schema: Any, defs: dict[str, Any] | None = None) -> Check | None:
    """A fast yes/no validator for the JSON Schema subset Kubernetes schemas use, or None when the schema
    uses a keyword outside it. Only the fast path: jsonschema still explains the failures."""
    try:
        return _compile(schema, defs or {}, 0)
    except (_Unsupported, RecursionError):
        return None


def _any_of(subs: list[Check]) -> Check:
    return lambda v: any(f(v) for f in subs)


def _all_of(subs: list[Check]) -> Check:
    return lambda v: all(f(v) for f in subs)


def _one_of(subs: list[Check]) -> Check:
    return lambda v: sum(1 for f in subs if f(v)) == 1


def _properties(props: list[tuple[str, Check]]) -> Check:
    return lambda v: not isinstance(v, dict) or all(name not in v or sub(v[name]) for name, sub in props)


def _additional(sub: Check, known: set[str]) -> Check:
    return lambda v: not isinstance(v, dict) or all(sub(item) for k, item in v.items() if k not in known)


def _required(names: list[str]) -> Check:
    return lambda v: not isinstance(v, dict) or all(n in v for n in names)


def _items(sub: Check) -> Check:
    return lambda v: not isinstance(v, list) or all(sub(item) for item in v)


def _enum(allowed: list[Any]) -> Check:
    return lambda v: any(v == a and isinstance(v, bool) == isinstance(a, bool) for a in allowed)


def _pattern(regex: re.Pattern[str]) -> Check:
    return lambda v: not isinstance(v, str) or regex.search(v) is not None


def _size(kind: type, limit: int, minimum: bool) -> Check:
    if minimum:
        return lambda v: not isinstance(v, kind) or len(v) >= limit  # type: ignore[arg-type]
    return lambda v: not isinstance(v, kind) or len(v) <= limit  # type: ignore[arg-type]


def _bound(limit: float, minimum: bool) -> Check:
    number = _TYPES["number"]
    if minimum:
        return lambda v: not number(v) or v >= limit
    return lambda v: not number(v) or v <= limit


def _unique(v: Any) -> bool:
    return not isinstance(v, list) or len({repr(i) for i in v}) == len(v)


def _compile(schema: Any, defs: dict[str, Any], depth: int) -> Check:
    if schema is True or schema == {}:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict) or depth > 60:
        raise _Unsupported()
    checks: list[Check] = []
    for key, value in schema.items():
        if key in _IGNORED or key.startswith("x-kubernetes-"):
            continue
        if key == "$ref":
            if not isinstance(value, str) or not value.startswith("#/$defs/"):
                raise _Unsupported()
            checks.append(_compile(defs[value[len("#/$defs/") :]], defs, depth + 1))
        elif key == "type":
            tests = [_TYPES[n] for n in ([value] if isinstance(value, str) else list(value))]
            checks.append(tests[0] if len(tests) == 1 else _any_of(tests))
        elif key == "properties":
            checks.append(
                _properties([(name, _compile(sub, defs, depth + 1)) for name, sub in value.items()])
            )
        elif key == "additionalProperties":
            checks.append(_additional(_compile(value, defs, depth + 1), set(schema.get("properties") or ())))
        elif key == "required":
            checks.append(_required(list(value)))
        elif key == "items":
            checks.append(_items(_compile(value, defs, depth + 1)))
        elif key == "enum":
            checks.append(_enum(list(value)))
        elif key == "const":
            checks.append(_enum([value]))
        elif key == "pattern":
            checks.append(_pattern(re.compile(value)))
        elif key in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"):
            kind: type = list if "Items" in key else str if "Length" in key else dict
            checks.append(_size(kind, int(value), key.startswith("min")))
        elif key in ("minimum", "maximum"):
            checks.append(_bound(value, key == "minimum"))
        elif key in ("anyOf", "oneOf", "allOf"):
            subs = [_compile(item, defs, depth + 1) for item in value]
            checks.append(
                _any_of(subs) if key == "anyOf" else _all_of(subs) if key == "allOf" else _one_of(subs)
            )
        elif key == "uniqueItems":
            if value:
                checks.append(_unique)
        else:
            raise _Unsupported()
    if not checks:
        return lambda v: True
    return checks[0] if len(checks) == 1 else _all_of(checks)


def errors_of(validator: LazyValidator, data: Any, fast: Check | None = None) -> Iterator[ValidationError]:
    """Nothing when valid (decided by ``fast`` when given); otherwise jsonschema's errors, by path."""
    if fast(data) if fast is not None else validator.is_valid(data):
        return
    yield from sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
