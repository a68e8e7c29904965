"""Everything a generated document reads, computed once: inventory, report, app views, SPOFs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.inventory.model import App, Host, Inventory
from homelabctl.kube import node_display_status
from homelabctl.paperwork.apps import AppResolver, AppView
from homelabctl.paperwork.cluster import route_hostnames
from homelabctl.paperwork.failure import Spof, find_spofs
from homelabctl.sources.base import ClusterState

SEVERITY_RANK = {"critical": 3, "warning": 2, "info": 1}


class Paperwork(msgspec.Struct):
    state: ClusterState
    report: Mapping[str, Any]
    inventory: Inventory
    inventory_declared: bool
    """False when there was no homelab.yaml and the inventory was derived from the cluster."""
    apps: list[AppView] = msgspec.field(default_factory=list)
    spofs: list[Spof] = msgspec.field(default_factory=list)
    undeclared_routes: list[tuple[str, str, str]] = msgspec.field(default_factory=list)
    """(hostname, namespace, route name) of HTTPRoutes serving a hostname no app declares."""

    @property
    def findings(self) -> list[Mapping[str, Any]]:
        return list(self.report.get("findings") or [])

    @property
    def root_causes(self) -> list[Mapping[str, Any]]:
        return list(self.report.get("root_causes") or [])

    def finding(self, finding_id: str) -> Mapping[str, Any] | None:
        return next((f for f in self.findings if f.get("id") == finding_id), None)

    def cause_severity(self, cause: Mapping[str, Any]) -> str:
        finding = self.finding(str(cause.get("finding", "")))
        return str(finding.get("severity", "warning")) if finding else "warning"

    @property
    def updated(self) -> str:
        return self.state.reference_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def node_status(self, name: str) -> str | None:
        node = self.state.index.get(kinds.NODE, None, name)
        return node_display_status(node) if node is not None else None

    def host_label(self, host: Host) -> str:
        """``R730`` for "Dell R730": how running text refers to a machine."""
        if host.model:
            return host.model.split()[-1] if host.model.lower().startswith("dell ") else host.model
        return host.name

    def apps_by_stack(self) -> list[tuple[str, list[AppView]]]:
        order = [s.name for s in self.inventory.stacks]
        stacks: dict[str, list[AppView]] = {}
        for view in self.apps:
            stacks.setdefault(view.app.stack, []).append(view)
        ordered = [s for s in order if s in stacks] + sorted(s for s in stacks if s not in order)
        return [(s, stacks[s]) for s in ordered]


def build_paperwork(state: ClusterState, report: Mapping[str, Any], inventory: Inventory | None) -> Paperwork:
    declared = inventory is not None
    if inventory is None:
        from homelabctl.inventory.init import inventory_from_state

        inventory = Inventory.model_validate(inventory_from_state(state, placeholders=False))
    resolver = AppResolver(state)
    findings: Sequence[Mapping[str, Any]] = report.get("findings") or []
    views = [resolver.view(app, findings) for app in inventory.apps]
    work = Paperwork(state, report, inventory, declared, views, find_spofs(state, inventory, resolver))
    work.undeclared_routes = undeclared_routes(state, inventory.apps)
    return work


def undeclared_routes(state: ClusterState, apps: Sequence[App]) -> list[tuple[str, str, str]]:
    declared = {a.host for a in apps if a.host}
    found = set()
    for route in state.index.all(kinds.HTTPROUTE):
        for hostname in route_hostnames(route):
            if hostname not in declared:
                found.add((hostname, route.namespace or "", route.name))
    return sorted(found)
