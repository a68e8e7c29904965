"""The part of kubectl's JSONPath that CRD ``additionalPrinterColumns`` use.

``.status.conditions[?(@.type=="Ready")].status``, ``.spec.hostnames``, ``.status.addresses[*].value``,
``.items[0].name``, optionally wrapped in ``{...}``. Anything else is a :class:`ValueError` at parse time,
so a CRD with an exotic column gets an empty cell rather than a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import msgspec


class _Field(msgspec.Struct, frozen=True):
    name: str


class _Index(msgspec.Struct, frozen=True):
    index: int


class _All(msgspec.Struct, frozen=True):
    pass


class _Filter(msgspec.Struct, frozen=True):
    path: tuple[str, ...]
    op: str  # "==", "!=" or "exists"
    value: str


_Step = _Field | _Index | _All | _Filter

_FILTER_RE = re.compile(
    r"""^\?\(\s*@((?:\.[A-Za-z0-9_\-/]+)+)\s*(?:(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.\-]+)))?\s*\)$"""
)


@lru_cache(maxsize=512)
def parse(expression: str) -> tuple[_Step, ...]:
    text = expression.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    if text.startswith("$"):
        text = text[1:]
    steps: list[_Step] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == ".":
            match = re.match(r"\.([A-Za-z0-9_\-/]+)", text[i:])
            if not match:
                raise ValueError(f"unsupported JSONPath {expression!r} at {i}")
            steps.append(_Field(match.group(1)))
            i += match.end()
        elif ch == "[":
            end = _closing_bracket(text, i)
            inner = text[i + 1 : end].strip()
            i = end + 1
            if inner == "*":
                steps.append(_All())
            elif re.fullmatch(r"-?\d+", inner):
                steps.append(_Index(int(inner)))
            elif inner[:1] in "'\"" and inner[-1:] == inner[:1]:
                steps.append(_Field(inner[1:-1]))
            else:
                match = _FILTER_RE.match(inner)
                if not match:
                    raise ValueError(f"unsupported JSONPath filter {inner!r} in {expression!r}")
                path = tuple(part for part in match.group(1).split(".") if part)
                op = match.group(2) or "exists"
                value = next((g for g in match.groups()[2:] if g is not None), "")
                steps.append(_Filter(path, op, value))
        else:
            raise ValueError(f"unsupported JSONPath {expression!r} at {i}")
    return tuple(steps)


def _closing_bracket(text: str, start: int) -> int:
    depth = 0
    quote = ""
    for j in range(start, len(text)):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError(f"unbalanced brackets in {text!r}")


def _get_path(value: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _walk(values: list[Any], steps: tuple[_Step, ...]) -> Iterator[Any]:
    if not steps:
        yield from values
        return
    step, rest = steps[0], steps[1:]
    nxt: list[Any] = []
    for value in values:
        if isinstance(step, _Field):
            if isinstance(value, dict) and step.name in value:
                nxt.append(value[step.name])
        elif isinstance(step, _Index):
            if isinstance(value, list) and -len(value) <= step.index < len(value):
                nxt.append(value[step.index])
        elif isinstance(step, _All):
            if isinstance(value, list):
                nxt.extend(value)
            elif isinstance(value, dict):
                nxt.extend(value.values())
        else:
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            for item in items:
                found, got = _get_path(item, step.path)
                if step.op == "exists":
                    keep = found
                elif step.op == "==":
                    keep = found and _scalar_text(got) == step.value
                else:
                    keep = not found or _scalar_text(got) != step.value
                if keep:
                    nxt.append(item)
    yield from _walk(nxt, rest)


def find(obj: Any, expression: str) -> list[Any]:
    """Every value the expression selects (empty when nothing matches or the expression is unsupported)."""
    try:
        steps = parse(expression)
    except ValueError:
        return []
    return [v for v in _walk([obj], steps) if v is not None]
