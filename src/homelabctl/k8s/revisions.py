"""Resource versions and list continuation: what a watch, a feed and a paged list go by."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from homelabctl.k8s._raw import Obj, raw_of, section, text


def resource_version(obj: Obj) -> str:
    """``metadata.resourceVersion`` (of an object or a list); empty when unset."""
    return text(section(obj, "metadata").get("resourceVersion"))


def continue_token(listing: Obj) -> str:
    """``metadata.continue`` of a list: empty on its last page."""
    return text(section(listing, "metadata").get("continue"))


def without_resource_version(obj: Obj) -> dict[str, Any]:
    """A shallow copy whose metadata has no ``resourceVersion``: two revisions of an object that compare equal
    have the same content."""
    raw = raw_of(obj)
    meta = {k: v for k, v in section(raw, "metadata").items() if k != "resourceVersion"}
    return {**raw, "metadata": meta}


def with_resource_version(obj: Obj, revision: int | str) -> dict[str, Any]:
    """A deep copy stamped with ``revision``; an object without a metadata map is copied as it is."""
    raw = copy.deepcopy(dict(raw_of(obj)))
    meta = raw.get("metadata")
    if isinstance(meta, dict):
        meta["resourceVersion"] = str(revision)
    return raw


def has_name(obj: object) -> bool:
    """A mapping whose ``metadata.name`` is set: the least an object needs to be indexed."""
    return isinstance(obj, Mapping) and bool(section(obj, "metadata").get("name"))
