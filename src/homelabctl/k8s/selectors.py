"""Label selectors as objects write them (``matchLabels``/``matchExpressions``, or a Service's plain map)."""

from __future__ import annotations

from homelabctl.k8s._raw import mapping, mappings, strings, text
from homelabctl.selectors import Selector, from_spec


def label_selector(value: object) -> Selector | None:
    """None for a missing (or non-map) selector, which selects nothing; an empty one selects everything."""
    return from_spec(value) if value is not None and mapping(value) is value else None


def selector_text(value: object) -> str:
    """A LabelSelector as ``kubectl`` would print it: ``a=b,c in (d,e)``; ``<all>`` when empty."""
    selector = mapping(value)
    if not selector:
        return "<all>"
    parts = [f"{k}={text(v)}" for k, v in mapping(selector.get("matchLabels")).items()]
    for expr in mappings(selector.get("matchExpressions")):
        op = text(expr.get("operator"))
        key = text(expr.get("key"))
        if op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
        else:
            parts.append(f"{key} {op.lower()} ({','.join(strings(expr.get('values')))})")
    return ",".join(parts) or "<all>"


def match_labels(value: object) -> dict[str, str]:
    """``matchLabels`` of a LabelSelector."""
    return {str(k): text(v) for k, v in mapping(mapping(value).get("matchLabels")).items()}


def has_expressions(value: object) -> bool:
    return bool(mappings(mapping(value).get("matchExpressions")))
