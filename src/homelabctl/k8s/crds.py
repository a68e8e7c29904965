"""CustomResourceDefinitions: the group and kind they install."""

from __future__ import annotations

from homelabctl.k8s._raw import Obj, mapping, section, text


def group_kind(crd: Obj) -> tuple[str, str]:
    spec = section(crd, "spec")
    return text(spec.get("group")), text(mapping(spec.get("names")).get("kind"))
