"""The load-time type validation's fast path as it stood before the shape plans (commit 2f0a32f), kept as the
reference the property test holds the current one to: ``malformed_field`` must answer exactly what this
fast path followed by the slow path that names the field answered, for every input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from homelabctl.sources import validate


def _pytype(shape: str) -> type:
    return validate._TYPES.get(shape, list)


_TOP_T = {key: _pytype(shape) for key, shape in validate._TOP.items()}
_METADATA_T = {key: _pytype(shape) for key, shape in validate._METADATA.items()}
_WORKLOAD_T = {key: _pytype(shape) for key, shape in validate._WORKLOAD.items()}
_MAP_LISTS = frozenset(key for key, shape in validate._WORKLOAD.items() if shape == validate.LIST_OF_MAPS)
_ITEMS_T: dict[str, tuple[tuple[str, type, bool], ...]] = {
    key: tuple((name, _pytype(shape), shape == validate.LIST_OF_MAPS) for name, shape in fields.items())
    for key, fields in validate._ITEMS.items()
}
_EXTRA_TOP_T = {
    kind: {key: _pytype(shape) for key, shape in fields.items()}
    for kind, fields in validate._TOP_BY_KIND.items()
    if fields.keys() - validate._TOP.keys()
}
_HELM_SPEC_T = {key: _pytype(shape) for key, shape in validate._HELM_SPEC.items()}


def _types_ok(mapping: dict[str, Any], types: dict[str, type]) -> bool:
    for key, value in mapping.items():
        expected = types.get(key)
        if expected is not None and type(value) is not expected and value is not None:
            return False
    return True


def _section_ok(section: dict[str, Any]) -> bool:
    for key, value in section.items():
        expected = _WORKLOAD_T.get(key)
        if expected is None or value is None:
            continue
        if type(value) is not expected:
            return False
        if key in _MAP_LISTS:
            for item in cast(list[Any], value):
                if type(item) is not dict:
                    return False
                for name, field_type, map_list in _ITEMS_T.get(key, ()):
                    field = item.get(name)
                    if field is None:
                        continue
                    if type(field) is not field_type or (
                        map_list and any(type(x) is not dict for x in cast(list[Any], field))
                    ):
                        return False
    return True


def _flux_ok(meta: dict[str, Any] | None, spec: dict[str, Any] | None) -> bool:
    owners = meta.get("ownerReferences") if meta is not None else None
    if owners is not None and any(type(owner) is not dict for owner in owners):
        return False
    if spec is None:
        return True
    if not _types_ok(spec, _HELM_SPEC_T):
        return False
    values_from = spec.get("valuesFrom")
    return values_from is None or all(type(item) is dict for item in values_from)


def _quick_ok(raw: Mapping[str, Any]) -> bool:
    if type(raw) is not dict:
        return False
    kind = raw.get("kind")
    meta, spec, status = raw.get("metadata"), raw.get("spec"), raw.get("status")
    if not (
        (meta is None or type(meta) is dict)
        and (spec is None or type(spec) is dict)
        and (status is None or type(status) is dict)
    ):
        return False
    extra = _EXTRA_TOP_T.get(kind) if type(kind) is str else None
    if extra is not None and not _types_ok(raw, extra):
        return False
    if meta is not None and not _types_ok(meta, _METADATA_T):
        return False
    if not validate._builtin(raw.get("apiVersion")):
        if kind == "HelmRelease" or kind == "Kustomization":
            return _flux_ok(meta, spec)
        return True
    if (spec is not None and not _section_ok(spec)) or (status is not None and not _section_ok(status)):
        return False
    if kind == "CronJob":
        return False
    template = spec.get("template") if spec is not None else None
    template_spec = template.get("spec") if type(template) is dict else None
    return type(template_spec) is not dict or _section_ok(template_spec)


def reference_malformed_field(raw: Mapping[str, Any]) -> str | None:
    """What ``malformed_field`` answered before the shape plans."""
    return None if _quick_ok(raw) else validate._named_problem(raw)
