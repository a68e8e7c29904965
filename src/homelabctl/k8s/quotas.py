"""ResourceQuotas and PriorityClasses."""

from __future__ import annotations

from homelabctl.k8s._raw import Obj, integer, raw_of, section, string_map


def quota_hard(quota: Obj) -> dict[str, str]:
    """``spec.hard``: resource name (``requests.nvidia.com/gpu``) → quantity as written."""
    return string_map(section(quota, "spec").get("hard"))


def priority_value(priority_class: Obj) -> int:
    return integer(raw_of(priority_class).get("value"))
