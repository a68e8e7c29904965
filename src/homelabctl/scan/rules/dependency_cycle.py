from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import fluxspec
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc


def _cycles(edges: dict[tuple[str, str], list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Strongly connected components with a cycle (Tarjan), each rotated to start at its smallest node."""
    index: dict[tuple[str, str], int] = {}
    low: dict[tuple[str, str], int] = {}
    stack: list[tuple[str, str]] = []
    on_stack: set[tuple[str, str]] = set()
    found: list[list[tuple[str, str]]] = []
    counter = 0

    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[tuple[str, str], int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                target = targets[i]
                if target not in edges:
                    continue
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, []):
                    found.append(_order(component, edges))
    return found


def _order(
    component: list[tuple[str, str]], edges: dict[tuple[str, str], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """Walk the cycle from its smallest member so the evidence reads a → b → c → a."""
    members = set(component)
    path = [min(component)]
    while True:
        nxt = next((t for t in edges.get(path[-1], []) if t in members and t not in path), None)
        if nxt is None:
            return path
        path.append(nxt)


@rule("dependency-cycle", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def dependency_cycle(ctx: ScanContext) -> Iterator[Finding]:
    """Flux Kustomizations (or HelmReleases) that depend on each other in a cycle.

    Builds the ``dependsOn`` graph of the Flux Kustomizations, and separately of the HelmReleases, and
    reports every cycle once, on its first member. Each member waits for the next to become Ready, so
    none of them is ever applied: a deadlock that only shows as ``dependency not ready`` messages.

    Next step: remove the ``dependsOn`` edge that closes the cycle (usually the one pointing "up" from
    infrastructure to apps).
    """
    graph = ctx.graph
    ks_edges = {ks.key: [(ns, n) for ns, n, _ in ks.depends_on] for ks in graph.kustomizations}
    ks_docs: dict[tuple[str, str], Doc] = {ks.key: ks.doc for ks in graph.kustomizations}
    for cycle in _cycles(ks_edges):
        chain = " → ".join(f"{ns}/{n}" for ns, n in [*cycle, cycle[0]])
        yield ctx.finding(
            ks_docs[cycle[0]],
            f"Flux Kustomizations {', '.join(n for _, n in cycle)} depend on each other in a cycle, so none "
            f"of them is ever applied",
            evidence=[f"dependsOn cycle: {chain}"],
            hint="Remove the dependsOn entry that closes the cycle",
            line=ks_docs[cycle[0]].line_of("spec", "dependsOn"),
        )
    hr_edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    hr_docs: dict[tuple[str, str], Doc] = {}
    for hr in graph.helm_releases:
        deps = []
        for dep in fluxspec.dependencies(hr.doc.data):
            deps.append((dep.namespace or hr.namespace, dep.name))
        hr_edges[(hr.namespace, hr.name)] = deps
        hr_docs[(hr.namespace, hr.name)] = hr.doc
    for cycle in _cycles(hr_edges):
        chain = " → ".join(f"{ns}/{n}" for ns, n in [*cycle, cycle[0]])
        yield ctx.finding(
            hr_docs[cycle[0]],
            f"HelmReleases {', '.join(n for _, n in cycle)} depend on each other in a cycle, so none of them "
            f"is ever installed",
            evidence=[f"dependsOn cycle: {chain}"],
            hint="Remove the dependsOn entry that closes the cycle",
            line=hr_docs[cycle[0]].line_of("spec", "dependsOn"),
        )
