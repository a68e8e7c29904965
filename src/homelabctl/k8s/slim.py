"""What the check path keeps of each object: fields no check, rule or renderer reads are dropped at load, and
repeated values are shared (never for `snapshot serve`, which serves what the file holds)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

UNREAD_METADATA = ("managedFields",)
"""Server-side-apply bookkeeping: often a third of an object as the API returns it (``kubectl get
--show-managed-fields``, older kubectl), read by nothing on the check path."""

UNREAD_POD_STATUS = ("hostIPs", "podIPs")
"""A pod's addresses as lists of maps (dual-stack); what the check path reads is ``status.podIP`` and
``status.hostIP``. Two maps and two lists per pod: about a fiftieth of a loaded snapshot."""

UNSHARED_BUILTIN_SECTIONS = ("spec",)
"""The section left unshared in the objects of built-in kinds whose sections redaction does not walk
(Services, claims, volumes, nodes, routes, policies...): their specs hold mostly the object's own values
(addresses, volume names, sizes, hosts), short lists of them. Walking them cost ~1.4% of a 10k-object
check's instructions for the least memory per string visited (peak memory measured no higher without it);
metadata and status, where timestamps, conditions and owners repeat, stay shared."""

_MAX_DEPTH = 64


def slim_sections(
    obj: dict[str, Any], kind: Any, meta: Any, status: Any, shared: dict[str, str], skip: Collection[str] = ()
) -> None:
    """In place, on a freshly parsed object: the unread fields dropped, then its values shared, except in the
    top-level sections in ``skip`` (those redaction walks, and shares on the way; or
    :data:`UNSHARED_BUILTIN_SECTIONS`). ``kind``,
    ``meta`` and ``status``: the object's ``kind``, ``metadata`` and ``status`` as found (the loader has read
    them already)."""
    if type(meta) is dict:
        for key in UNREAD_METADATA:
            if key in meta:
                del meta[key]
    if kind == "Pod" and type(status) is dict:
        for key in UNREAD_POD_STATUS:
            if key in status:
                del status[key]
    if not skip:
        share_values(obj, shared)
        return
    for key, value in obj.items():
        if key in skip:
            continue
        value_type = type(value)
        if value_type is str:
            obj[key] = shared.setdefault(value, value)
        elif value_type is dict:
            share_values(value, shared, 1)
        elif value_type is list:
            share_list(value, shared, 1)


def share_values(node: dict[str, Any], shared: dict[str, str], depth: int = 0) -> None:
    """In place: every string value becomes the one equal string already in ``shared`` (or goes there).
    Namespaces, timestamps, images, label values, condition types and statuses repeat across thousands of
    objects; a parser makes a new string for each occurrence (a third of a parsed snapshot's memory), and
    equal strings are interchangeable. Called on each object as it is parsed, so the copies are freed
    before the next object is. (Hot: the maps held by a map or a list are walked inline, one level down,
    which saves a call per map; a snapshot is mostly small maps of strings.)"""
    if depth > _MAX_DEPTH:
        return
    setdefault = shared.setdefault
    for key, value in node.items():
        kind = type(value)
        if kind is str:
            node[key] = setdefault(value, value)
        elif kind is dict:
            for inner_key, inner in value.items():
                inner_kind = type(inner)
                if inner_kind is str:
                    value[inner_key] = setdefault(inner, inner)
                elif inner_kind is dict:
                    share_values(inner, shared, depth + 2)
                elif inner_kind is list:
                    share_list(inner, shared, depth + 2)
        elif kind is list:
            share_list(value, shared, depth + 1)


def share_list(items: list[Any], shared: dict[str, str], depth: int = 0) -> None:
    """:func:`share_values` on a list."""
    if depth > _MAX_DEPTH:
        return
    setdefault = shared.setdefault
    for i, value in enumerate(items):
        kind = type(value)
        if kind is dict:
            for inner_key, inner in value.items():
                inner_kind = type(inner)
                if inner_kind is str:
                    value[inner_key] = setdefault(inner, inner)
                elif inner_kind is dict:
                    share_values(inner, shared, depth + 2)
                elif inner_kind is list:
                    share_list(inner, shared, depth + 2)
        elif kind is str:
            items[i] = setdefault(value, value)
        elif kind is list:
            share_list(value, shared, depth + 1)
