"""Fields no check, rule or renderer reads, dropped at load on the check path (never for `snapshot serve`)."""

from __future__ import annotations

from typing import Any

UNREAD_METADATA = ("managedFields",)
"""Server-side-apply bookkeeping: often a third of an object as the API returns it (``kubectl get
--show-managed-fields``, older kubectl), read by nothing on the check path."""


def drop_unread(obj: dict[str, Any]) -> None:
    """Remove the unread fields from a freshly parsed object, in place."""
    meta = obj.get("metadata")
    if type(meta) is dict:
        for key in UNREAD_METADATA:
            meta.pop(key, None)
