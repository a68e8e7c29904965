"""Read homelab.yaml with errors that point at lines.

The file is composed with PyYAML first (a node tree that remembers where every key and value starts),
then validated by pydantic; each pydantic error location (``("apps", 3, "url")``) is walked down the node
tree to the line a person has to fix. Cross-references (a VM on an undeclared host, an app in an undeclared
stack) are validated the same way.
"""

from __future__ import annotations

import ipaddress
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec
import yaml
from pydantic import ValidationError

from homelabctl.errors import ConfigError
from homelabctl.inventory.model import Inventory

Loc = tuple[str | int, ...]


class InventoryProblem(msgspec.Struct, frozen=True):
    file: str
    line: int | None
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "location": self.location, "message": self.message}


class InventoryError(ConfigError):
    """homelab.yaml does not parse or validate. ``problems`` has every error with its line."""

    def __init__(self, problems: Sequence[InventoryProblem]) -> None:
        self.problems = list(problems)
        more = len(self.problems) - 1
        suffix = f" (and {more} more: run `homelabctl inventory check`)" if more > 0 else ""
        super().__init__(f"{self.problems[0]}{suffix}")


def format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest node ``loc`` reaches (a missing field points at its parent mapping)."""
    if root is None:
        return None
    node: yaml.Node = root
    line = root.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    # The key's line: a block value starts on the next line, but the key is what to fix.
                    child, line = value_node, key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _duplicate_keys(node: yaml.Node, loc: Loc = ()) -> Iterable[tuple[Loc, int, str]]:
    """YAML lets a later key silently replace an earlier one; in a hand-edited inventory that is a bug."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                yield (*loc, key), line, f"duplicate key (first defined on line {seen[key]})"
            else:
                seen[key] = line
            yield from _duplicate_keys(value_node, (*loc, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, i))


_MESSAGES = {
    "extra_forbidden": "unknown field (not in the homelab.yaml schema; a typo?)",
    "missing": "required field is missing",
}


def _pydantic_message(error: Any) -> str:
    message = _MESSAGES.get(error["type"]) or str(error["msg"])
    return message.removeprefix("Value error, ")


def parse_inventory_text(
    text: str, file: str = "homelab.yaml"
) -> tuple[Inventory | None, list[InventoryProblem]]:
    """The inventory and every problem found (empty when valid). Never raises on bad content."""

    def problem(loc: Loc, message: str, line: int | None = None) -> InventoryProblem:
        return InventoryProblem(
            file, line if line is not None else line_of(root, loc), format_loc(loc), message
        )

    root: yaml.Node | None = None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [
            InventoryProblem(
                file, mark.line + 1 if mark else None, "", f"invalid YAML: {exc.problem or exc.context}"
            )
        ]
    except yaml.YAMLError as exc:
        return None, [InventoryProblem(file, None, "", f"invalid YAML: {exc}")]
    if data is None:
        return None, [
            InventoryProblem(file, 1, "", "the file is empty (start from `homelabctl inventory init`)")
        ]
    if not isinstance(data, dict):
        return None, [
            InventoryProblem(
                file, 1, "", f"expected a mapping at the top level, found a {type(data).__name__}"
            )
        ]
    problems = [problem(loc, message, line) for loc, line, message in _duplicate_keys(root)] if root else []
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        problems += [problem(tuple(err["loc"]), _pydantic_message(err)) for err in exc.errors()]
        return None, sorted(problems, key=lambda p: (p.line or 0, p.location))
    problems += [problem(loc, message) for loc, message in cross_reference_problems(inventory)]
    problems.sort(key=lambda p: (p.line or 0, p.location))
    return (None if problems else inventory), problems


def _dupes(names: Iterable[str]) -> set[str]:
    return {name for name, count in Counter(names).items() if count > 1}


def cross_reference_problems(inv: Inventory) -> Iterable[tuple[Loc, str]]:
    """References between sections: what a schema cannot express."""
    host_names = {h.name for h in inv.hosts}
    node_names = {n.name for n in inv.nodes}
    for section, names in (
        ("hosts", [h.name for h in inv.hosts]),
        ("nodes", [n.name for n in inv.nodes]),
        ("stacks", [s.name for s in inv.stacks]),
        ("sites", [s.name for s in inv.sites]),
    ):
        dupes = _dupes(names)
        for i, name in enumerate(names):
            if name in dupes:
                yield (section, i, "name"), f"{name!r} is declared more than once"
    class_names = [spec.name for _, spec in inv.storage_classes()]
    class_dupes = _dupes(class_names)
    for t, tier in enumerate(inv.storage):
        for c, spec in enumerate(tier.classes):
            if spec.name in class_dupes:
                yield (
                    ("storage", t, "classes", c, "name"),
                    f"storage class {spec.name!r} is declared more than once",
                )
    site_names = {s.name for s in inv.sites}
    for i, host in enumerate(inv.hosts):
        if host.kind == "vm":
            if not host.host:
                yield ("hosts", i, "kind"), "a VM needs `host:` (the machine it runs on)"
            elif host.host not in host_names:
                yield ("hosts", i, "host"), f"unknown host {host.host!r} (declare it under hosts)"
            elif host.host == host.name:
                yield ("hosts", i, "host"), "a VM cannot run on itself"
        elif host.host:
            yield ("hosts", i, "host"), "only a VM (kind: vm) runs on another host"
        if host.site and site_names and host.site not in site_names:
            yield ("hosts", i, "site"), f"unknown site {host.site!r}"
    for i, node in enumerate(inv.nodes):
        if node.host not in host_names:
            yield ("nodes", i, "host"), f"unknown host {node.host!r} (declare it under hosts)"
    for t, tier in enumerate(inv.storage):
        for field, names, known in (("nodes", tier.nodes, node_names), ("hosts", tier.hosts, host_names)):
            for j, name in enumerate(names):
                if name not in known:
                    yield ("storage", t, field, j), f"unknown {field[:-1]} {name!r}"
        for c, spec in enumerate(tier.classes):
            for field, names, known in (("nodes", spec.nodes, node_names), ("hosts", spec.hosts, host_names)):
                for j, name in enumerate(names):
                    if name not in known:
                        yield ("storage", t, "classes", c, field, j), f"unknown {field[:-1]} {name!r}"
    net = inv.network
    if (
        net.gateway_ip
        and net.ip_pool
        and ipaddress.ip_address(net.gateway_ip) not in ipaddress.ip_network(net.ip_pool, strict=False)
    ):
        yield ("network", "gateway_ip"), f"{net.gateway_ip} is outside the IP pool {net.ip_pool}"
    stack_names = {s.name for s in inv.stacks}
    seen_hosts: dict[str, int] = {}
    seen_apps: dict[tuple[str, str], int] = {}
    for i, app in enumerate(inv.apps):
        if stack_names and app.stack not in stack_names:
            yield (
                ("apps", i, "stack"),
                f"unknown stack {app.stack!r} (declared: {', '.join(sorted(stack_names))})",
            )
        key = (app.namespace, app.slug)
        if key in seen_apps:
            yield (
                ("apps", i, "name"),
                f"app {app.name!r} in {app.namespace} is declared twice (apps[{seen_apps[key]}])",
            )
        seen_apps.setdefault(key, i)
        if app.host and "*" not in app.host:
            if app.host in seen_hosts:
                yield ("apps", i, "url"), f"{app.host} is already the URL of apps[{seen_hosts[app.host]}]"
            seen_hosts.setdefault(app.host, i)


class InventoryDocument(msgspec.Struct, frozen=True):
    """A valid inventory with the node tree it came from, so later reports can cite lines."""

    inventory: Inventory
    file: str
    root: yaml.Node | None

    def line(self, *loc: str | int) -> int | None:
        return line_of(self.root, loc)


def read_inventory_text(path: str | os.PathLike[str]) -> str:
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file (create one with `homelabctl inventory init`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None


def load_inventory_document(path: str | os.PathLike[str]) -> InventoryDocument:
    """Parse and validate; raise InventoryError (exit 2) with the first problem and its line."""
    text = read_inventory_text(path)
    inventory, problems = parse_inventory_text(text, str(path))
    if inventory is None:
        raise InventoryError(problems)
    return InventoryDocument(inventory, str(path), yaml.compose(text, Loader=yaml.SafeLoader))


def load_inventory(path: str | os.PathLike[str]) -> Inventory:
    return load_inventory_document(path).inventory


def demo_inventory_path() -> Path:
    from importlib.resources import files

    return Path(str(files("homelabctl.demo") / "homelab.yaml"))
