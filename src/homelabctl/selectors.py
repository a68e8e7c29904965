"""Label selectors: the structured form in specs and the string form of ``?labelSelector=``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.lazyre import LazyPattern


class Requirement(msgspec.Struct, frozen=True):
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "Exists":
            return self.key in labels
        if self.operator == "DoesNotExist":
            return self.key not in labels
        if self.operator == "In":
            return labels.get(self.key) in self.values
        if self.operator == "NotIn":
            return labels.get(self.key) not in self.values
        return False


class Selector(msgspec.Struct, frozen=True):
    requirements: tuple[Requirement, ...]

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(req.matches(labels) for req in self.requirements)

    def equality_pairs(self) -> list[tuple[str, str]]:
        """Single-value ``In`` requirements: what an index lookup can narrow by."""
        return [
            (req.key, next(iter(req.values)))
            for req in self.requirements
            if req.operator == "In" and len(req.values) == 1
        ]


def from_spec(selector: Mapping[str, Any] | None) -> Selector | None:
    """A LabelSelector (``matchLabels``/``matchExpressions``) or a plain map like a Service's ``selector``.

    Returns None for a missing selector, which selects nothing (unlike an empty one, which selects all).
    """
    if not isinstance(selector, Mapping):
        return None
    reqs: list[Requirement] = []
    if "matchLabels" in selector or "matchExpressions" in selector:
        match_labels = selector.get("matchLabels")
        for key, value in match_labels.items() if isinstance(match_labels, Mapping) else ():
            reqs.append(Requirement(str(key), "In", frozenset({str(value)})))
        expressions = selector.get("matchExpressions")
        for expr in expressions if isinstance(expressions, list) else []:
            if not isinstance(expr, Mapping):
                continue
            reqs.append(
                Requirement(
                    str(expr.get("key", "")),
                    str(expr.get("operator", "")),
                    frozenset(str(v) for v in expr.get("values") or []),
                )
            )
    else:
        for key, value in selector.items():
            reqs.append(Requirement(str(key), "In", frozenset({str(value)})))
    return Selector(tuple(reqs))


_KEY_RE = LazyPattern(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE_RE = LazyPattern(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _checked(key: str, values: frozenset[str], operator: str) -> Requirement:
    if not _KEY_RE.match(key):
        raise ValueError(f"invalid label key {key!r}")
    for value in values:
        if not _VALUE_RE.match(value):
            raise ValueError(f"invalid label value {value!r} for key {key!r}")
    return Requirement(key, operator, values)


_SET_RE = LazyPattern(r"^\s*([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return parts


def parse(text: str) -> Selector:
    """``app=web,tier!=db,env in (a,b),!legacy,release`` → Selector. Raises ValueError on bad syntax."""
    reqs: list[Requirement] = []
    for raw in _split_top_level(text or ""):
        part = raw.strip()
        if not part:
            continue
        set_match = _SET_RE.match(part)
        if set_match:
            key, op, values = set_match.groups()
            vals = frozenset(v.strip() for v in values.split(",") if v.strip())
            reqs.append(_checked(key, vals, "In" if op == "in" else "NotIn"))
        elif part.startswith("!"):
            reqs.append(_checked(part[1:].strip(), frozenset(), "DoesNotExist"))
        elif "!=" in part:
            key, value = part.split("!=", 1)
            reqs.append(_checked(key.strip(), frozenset({value.strip()}), "NotIn"))
        elif "==" in part:
            key, value = part.split("==", 1)
            reqs.append(_checked(key.strip(), frozenset({value.strip()}), "In"))
        elif "=" in part:
            key, value = part.split("=", 1)
            reqs.append(_checked(key.strip(), frozenset({value.strip()}), "In"))
        elif _KEY_RE.match(part):
            reqs.append(Requirement(part, "Exists"))
        else:
            raise ValueError(f"unable to parse requirement: {part!r}")
    return Selector(tuple(reqs))
