from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.platform._common import condition_text, one_line
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import routes
from homelabctl.k8s._raw import text
from homelabctl.k8s.conditions import false_conditions
from homelabctl.model import Finding, Layer, Resource, Severity
from homelabctl.timeutil import parse_time

# A route no controller has written status for after this long is not served by anyone.
STATUS_GRACE = timedelta(minutes=10)
_ASKED = ("Accepted", "ResolvedRefs")
"""The conditions read of each parent's status, in one pass."""


def _parent_label(key: tuple[str, str, str, str]) -> str:
    kind, namespace, name, section = key
    return f"{kind} {namespace}/{name}" + (f" section {section}" if section else "")


class _Verdict:
    """What is wrong with one route; broken parents and dead rules decide critical vs warning."""

    __slots__ = ("evidence", "parents_broken", "parents_total", "problems", "rules_dead")

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.evidence: list[str] = []
        self.parents_total = 0
        self.parents_broken = 0
        self.rules_dead = 0


def _check_parents(ctx: CheckContext, route: Resource, verdict: _Verdict, gateways_readable: bool) -> None:
    refs = routes.parent_refs(route)
    if not refs:
        return
    statuses = routes.parent_status_entries(route)
    old_enough: bool | None = None  # read only when a parent has no status
    index = ctx.index
    verdict.parents_total += len(refs)
    for ref in refs:
        key = (ref.kind, ref.namespace or "", ref.name, ref.section_name)
        if gateways_readable and ref.is_gateway and index.get(kinds.GATEWAY_KIND, key[1], key[2]) is None:
            label = _parent_label(key)
            verdict.parents_broken += 1
            verdict.problems.append(f"is attached to {label}, which does not exist")
            verdict.evidence.append(f"parentRef {label}: no such Gateway")
            continue
        status = statuses.get(key)
        if status is None:
            if old_enough is None:
                created = parse_time(route.creation_timestamp)
                old_enough = created is not None and ctx.now - created > STATUS_GRACE
            if old_enough:
                label = _parent_label(key)
                verdict.parents_broken += 1
                verdict.problems.append(f"has no status from any controller for {label}")
                verdict.evidence.append(f"status.parents has no entry for {label}")
            continue
        accepted, resolved = false_conditions(status.get("conditions"), _ASKED)
        if accepted is None and resolved is None:
            continue  # the usual parent: accepted, its references resolved
        controller = text(status.get("controllerName")) or "?"
        if accepted is not None:
            label = _parent_label(key)
            verdict.parents_broken += 1
            verdict.problems.append(
                f"is not accepted by {label} ({accepted.reason or '?'}: {one_line(accepted.message, 120)})"
            )
            verdict.evidence.append(f"parent {label} ({controller}): {condition_text(accepted, 300)}")
        if resolved is not None:
            label = _parent_label(key)
            verdict.problems.append(
                f"has unresolved backend refs ({resolved.reason or '?'}: {one_line(resolved.message, 120)})"
            )
            verdict.evidence.append(f"parent {label} ({controller}): {condition_text(resolved, 300)}")
            # With Services readable, _check_backends tells a partly from a wholly missing backend set.
            reason = resolved.reason
            if reason in ("RefNotPermitted", "InvalidKind") or (
                reason == "BackendNotFound" and not ctx.readable(kinds.SERVICE)
            ):
                verdict.rules_dead += 1


def _check_backends(ctx: CheckContext, route: Resource, verdict: _Verdict) -> None:
    index = ctx.index
    for rule in routes.rules(route):
        services = 0
        missing = []
        for ref in rule.backends:
            if not ref.is_service:
                continue
            services += 1
            namespace = ref.namespace or ""
            if index.get(kinds.SERVICE, namespace, ref.name) is None:
                missing.append(f"{namespace}/{ref.name}")
        if not missing:
            continue
        verdict.evidence.append(
            f"rules[{rule.index}].backendRefs: Service {', '.join(missing)} does not exist"
            f" ({len(missing)}/{services} backends of the rule)"
        )
        if len(missing) == services:
            verdict.rules_dead += 1
        if not any("backend" in p for p in verdict.problems):
            verdict.problems.append(f"sends traffic to Service {missing[0]}, which does not exist")


@check(
    "httproute-not-accepted",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.HTTPROUTE],
    uses=[kinds.GATEWAY_KIND, kinds.SERVICE],
)
def httproute_not_accepted(ctx: CheckContext) -> Iterator[Finding]:
    """HTTPRoute not accepted by its Gateway, or pointing at backends that do not exist.

    Reads ``status.parents[]`` (``parentRef``, ``controllerName``, conditions ``Accepted`` - reasons
    ``NotAllowedByListeners``, ``NoMatchingListenerHostname``, ``NoMatchingParent`` - and ``ResolvedRefs``
    - ``BackendNotFound``, ``RefNotPermitted``, ``InvalidKind``), then checks itself that each Gateway
    ``parentRef`` exists and each ``backendRefs`` Service exists. A parent with no status 10 minutes after
    creation means no controller serves the route. Critical when the route is served by no parent or a
    whole rule has no backend (the hostname returns errors); a warning when only some parents or some
    backends of a rule are affected.

    Next step: ``kubectl describe httproute <name> -n <namespace>``; compare parentRefs with
    ``kubectl get gateway -A`` and backendRefs with ``kubectl get svc -n <namespace>``; a cross-namespace
    backend needs a ReferenceGrant in the backend's namespace.
    """
    # what is readable does not change during the run: asked once, not per route and parent
    gateways_readable = ctx.readable(kinds.GATEWAY_KIND)
    services_readable = ctx.readable(kinds.SERVICE)
    for route in ctx.index.all(kinds.HTTPROUTE):
        verdict = _Verdict()
        _check_parents(ctx, route, verdict, gateways_readable)
        if services_readable:
            _check_backends(ctx, route, verdict)
        if not verdict.problems:
            continue
        nobody_serves = verdict.parents_total > 0 and verdict.parents_broken >= verdict.parents_total
        severity = Severity.CRITICAL if nobody_serves or verdict.rules_dead else Severity.WARNING
        hostnames = list(routes.hostnames(route))
        evidence = list(verdict.evidence)
        if hostnames:
            evidence.append("hostnames: " + ", ".join(str(h) for h in hostnames))
        more = f" (+{len(verdict.problems) - 1} more problem(s))" if len(verdict.problems) > 1 else ""
        yield ctx.finding(
            route,
            f"HTTPRoute {route.namespace}/{route.name} {verdict.problems[0]}{more}",
            evidence=evidence,
            hint=(
                f"`kubectl describe httproute {route.name} -n {route.namespace}`; compare parentRefs with "
                f"`kubectl get gateway -A` and backendRefs with `kubectl get svc -n {route.namespace}` "
                "(cross-namespace backends need a ReferenceGrant)"
            ),
            severity=severity,
        )
