"""Parse YAML text once with the libyaml C loader, keeping each document's node tree for line lookups.

Construction goes through a SafeConstructor subclass that also records what Kubernetes and Helm read
differently from PyYAML (duplicate keys, YAML 1.1 booleans/octals, ``1e3``) while it builds the objects, so
no second pass over the text is needed for the rules that care.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# go-yaml v2 (sigs.k8s.io/yaml, hence kubectl, kustomize and Helm) reads these plain scalars as booleans;
# PyYAML reads y/n as strings, YAML 1.2 reads all but true/false as strings.
GO_BOOL_WORDS = frozenset(
    {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}
)
_GO_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)$")
_OCTAL_RE = re.compile(r"^[-+]?0[0-7_]+$")


# A dataclass, not a msgspec Struct: ``node`` is left out of repr and equality, which a Struct cannot express.
@dataclass(frozen=True, slots=True)
class Trap:
    """A plain scalar whose type depends on the YAML version reading it."""

    text: str
    line: int
    read_as: str
    """What go-yaml (kubectl/Helm) makes of it: ``bool true``, ``int 493``, ``float 1000``."""
    node: ScalarNode = field(compare=False, repr=False)


class DuplicateKey(msgspec.Struct, frozen=True):
    key: str
    line: int
    first_line: int


class TrackingLoader(_BaseLoader):
    """CSafeLoader that notes duplicate keys and YAML 1.1 traps while constructing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.traps: list[Trap] = []
        self.duplicates: list[DuplicateKey] = []

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in mapping
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
            if duplicate:
                self._note_duplicate(node, key, key_node)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def _note_duplicate(self, node: MappingNode, key: Hashable, key_node: Node) -> None:
        first = next(
            (
                k.start_mark.line + 1
                for k, _ in node.value
                if isinstance(k, ScalarNode) and k.value == str(key)
            ),
            key_node.start_mark.line + 1,
        )
        self.duplicates.append(DuplicateKey(str(key), key_node.start_mark.line + 1, first))

    def construct_yaml_bool(self, node: ScalarNode) -> bool:
        value: bool = super().construct_yaml_bool(node)
        if node.value not in ("true", "True", "TRUE", "false", "False", "FALSE"):
            self.traps.append(Trap(node.value, node.start_mark.line + 1, f"bool {str(value).lower()}", node))
        return value

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value: int = super().construct_yaml_int(node)
        if _OCTAL_RE.match(node.value):
            self.traps.append(Trap(node.value, node.start_mark.line + 1, f"int {value} (octal)", node))
        return value

    def construct_yaml_str(self, node: ScalarNode) -> str:
        value: str = self.construct_scalar(node)
        if not node.style and value:
            if value in GO_BOOL_WORDS:
                read_as = "bool true" if value[0] in "yY" else "bool false"
                self.traps.append(Trap(value, node.start_mark.line + 1, read_as, node))
            elif value[0] in "0123456789+-." and _GO_FLOAT_RE.match(value):
                self.traps.append(Trap(value, node.start_mark.line + 1, f"float {float(value):g}", node))
        return value


TrackingLoader.add_constructor("tag:yaml.org,2002:bool", TrackingLoader.construct_yaml_bool)
TrackingLoader.add_constructor("tag:yaml.org,2002:int", TrackingLoader.construct_yaml_int)
TrackingLoader.add_constructor("tag:yaml.org,2002:str", TrackingLoader.construct_yaml_str)


class ParsedDoc(msgspec.Struct):
    index: int
    node: Node
    data: Any
    traps: list[Trap]
    duplicates: list[DuplicateKey]


class YamlParseError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class YamlLimitError(YamlParseError):
    """A document over the scan's bounds (alias expansion, recursive aliases): refused, not read."""


MAX_EXPANDED_NODES = 200_000
"""Nodes a document may hold once its aliases are expanded. A large real manifest (a CRD bundle) has a
few tens of thousands; the 400-byte "billion laughs" has a billion. Every consumer of the data (rules,
JSON Schema, reports) walks it expanded, so that is what is bounded."""


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def expanded_size(root: Node, limit: int = MAX_EXPANDED_NODES) -> int | None:
    """Node count with every alias expanded (capped just above ``limit``); None for a recursive alias.
    Shared nodes are counted once per reference but measured once: linear in the distinct nodes."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in _children(node)))
            continue
        if key in sizes:
            continue
        if key in active:
            return None
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            continue
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def parse_yaml(text: str) -> Iterator[ParsedDoc]:
    """Every document of ``text``. Raises YamlParseError (with the 1-based line) at the first bad one;
    documents before it have already been yielded."""
    loader = TrackingLoader(text)
    index = 0
    anchors = "&" in text  # no anchor, no alias: nothing to expand
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node() said there was one
                break
            if anchors:
                size = expanded_size(node)
                line = node.start_mark.line + 1
                if size is None:
                    raise YamlLimitError(line, "document contains a recursive alias: not read")
                if size > MAX_EXPANDED_NODES:
                    raise YamlLimitError(
                        line,
                        f"document contains excessive aliasing (over {MAX_EXPANDED_NODES:,} "
                        f"nodes once aliases are expanded): not read",
                    )
            loader.traps = []
            loader.duplicates = []
            data = loader.construct_document(node)
            yield ParsedDoc(index, node, data, loader.traps, loader.duplicates)
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise YamlParseError(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlParseError(None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlParseError(None, "invalid YAML: nesting too deep") from None
    finally:
        loader.dispose()


PathKey = str | int


def node_at(node: Node, path: tuple[PathKey, ...]) -> tuple[Node | None, int]:
    """The node at ``path`` (mapping keys / sequence indexes) and the 1-based line of the deepest key found.

    A missing tail returns the line of the deepest existing parent, so a finding still points near its
    cause."""
    line = node.start_mark.line + 1
    current: Node | None = node
    for step in path:
        if isinstance(current, MappingNode) and isinstance(step, str):
            for key_node, value_node in current.value:
                if isinstance(key_node, ScalarNode) and key_node.value == step:
                    line = key_node.start_mark.line + 1
                    current = value_node
                    break
            else:
                return None, line
        elif isinstance(current, SequenceNode) and isinstance(step, int) and 0 <= step < len(current.value):
            current = current.value[step]
            line = current.start_mark.line + 1
        else:
            return None, line
    return current, line


def path_to(root: Node, target: Node) -> tuple[PathKey, ...] | None:
    """Key path from ``root`` to ``target`` (identity), or None. Used only for the rare trap nodes."""
    stack: list[tuple[Node, tuple[PathKey, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, ScalarNode) else "?"
                if key_node is target:
                    return None  # a key, not a value: callers only judge values
                stack.append((value_node, (*path, key)))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i)))
    return None
