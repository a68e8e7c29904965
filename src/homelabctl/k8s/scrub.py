"""What a shared capture file must not carry or does not need, dropped from an object in place."""

from __future__ import annotations

from typing import Any

from homelabctl.redact import LAST_APPLIED


def drop_bookkeeping(obj: dict[str, Any], last_applied_marker: str) -> None:
    """``managedFields`` go, ``last-applied-configuration`` becomes ``last_applied_marker`` and a CRD loses its
    version schemas. Only maps and lists are changed: a field of any other type is left as it is."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED in annotations:
            annotations[LAST_APPLIED] = last_applied_marker
    if obj.get("kind") == "CustomResourceDefinition":
        spec = obj.get("spec")
        for version in (spec.get("versions") or []) if isinstance(spec, dict) else []:
            if isinstance(version, dict):
                version.pop("schema", None)
