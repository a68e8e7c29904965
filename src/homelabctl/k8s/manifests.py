"""Fields of objects as a GitOps repository writes them, before Flux substitutes variables into them."""

from __future__ import annotations

from homelabctl.k8s._raw import Obj, section


def spec_count(obj: Obj, field: str, default: int = 1) -> int:
    """``spec.<field>`` (``replicas``, ``parallelism``) as a count: ``default`` when unset or null, and 0 when
    it is not a whole number, as ``${REPLICAS}`` is until Flux substitutes it (nothing is counted for it)."""
    value = section(obj, "spec").get(field)
    if value is None:
        return default
    try:
        return int(str(value))
    except ValueError:
        return 0
