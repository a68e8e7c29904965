from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from homelabctl import kinds
from homelabctl.checks.platform._common import condition_age, condition_text, one_line
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import conditions, gateways
from homelabctl.model import Finding, Layer, Resource, Severity

# Conditions start as Unknown/Pending until the controller reconciles; longer means no controller took it.
PENDING_GRACE = timedelta(minutes=10)
# condition type -> the status that is a problem (Conflicted is the only one where True is bad), in the
# order of cause before consequence: an unresolved certificate ref is why a listener is not programmed.
_LISTENER_BAD = {"ResolvedRefs": "False", "Conflicted": "True", "Accepted": "False", "Programmed": "False"}
_LISTENER_ORDER = {type_: i for i, type_ in enumerate(_LISTENER_BAD)}


def _bad_gateway_conditions(ctx: CheckContext, gw: Resource) -> tuple[list[conditions.Condition], bool]:
    """(failing conditions, whether they are only "pending too long")."""
    failing = [c for c in conditions.conditions(gw) if c.type in ("Accepted", "Programmed") and c.is_false]
    if failing:
        return failing, False
    pending = []
    for cond in conditions.conditions(gw):
        if cond.type in ("Accepted", "Programmed") and cond.status == "Unknown":
            age = condition_age(cond, ctx.now)
            if age is not None and age > PENDING_GRACE:
                pending.append(cond)
    return pending, True


def _missing_certificate_refs(ctx: CheckContext, gw: Resource) -> list[tuple[str, str]]:
    """Listener TLS certificateRefs to Secrets that do not exist (only when Secrets are readable)."""
    if not ctx.readable(kinds.SECRET):
        return []
    missing = []
    for listener in gateways.listeners(gw):
        for ref in listener.certificate_refs:
            if ref.group != "" or ref.kind != "Secret":
                continue
            namespace = ref.namespace or ""
            if ctx.index.get(kinds.SECRET, namespace, ref.name) is None:
                missing.append((listener.name or "?", f"{namespace}/{ref.name or '?'}"))
    return missing


@check(
    "gateway-not-accepted",
    layer=Layer.PLATFORM,
    severity=Severity.CRITICAL,
    requires=[kinds.GATEWAY_KIND],
    uses=[kinds.GATEWAY_CLASS, kinds.SECRET],
)
def gateway_not_accepted(ctx: CheckContext) -> Iterator[Finding]:
    """Gateway API Gateway not Accepted/Programmed, or a listener with unresolved refs.

    Reads the Gateway's ``Accepted`` and ``Programmed`` conditions (``Invalid``, ``AddressNotAssigned``,
    ``NoResources``...), each ``status.listeners[].conditions`` (``ResolvedRefs=False`` with
    ``InvalidCertificateRef``/``RefNotPermitted``/``InvalidRouteKinds``, ``Programmed=False``,
    ``Conflicted=True``), whether ``gatewayClassName`` names an existing GatewayClass, and whether TLS
    ``certificateRefs`` point at Secrets that exist. Conditions still ``Unknown`` (``Pending``) after
    10 minutes mean no controller accepted the Gateway (Cilium's ``enable-gateway-api`` off, wrong class).
    A failing HTTPS listener takes every route attached to it down.

    Next step: ``kubectl describe gateway <name> -n <namespace>``; for ``InvalidCertificateRef`` check the
    Secret named in the listener (``kubectl get secret``, the cert-manager Certificate that writes it).
    """
    for gw in ctx.index.all(kinds.GATEWAY_KIND):
        finding = _evaluate(ctx, gw)
        if finding is not None:
            yield finding


def _evaluate(ctx: CheckContext, gw: Resource) -> Finding | None:
    label = f"Gateway {gw.namespace}/{gw.name}"
    problems: list[str] = []  # phrases that follow the Gateway's name, most important first
    evidence: list[str] = []
    hard = False  # anything beyond "still pending" makes it critical
    class_name = gateways.class_name(gw)
    if (
        ctx.readable(kinds.GATEWAY_CLASS)
        and class_name
        and ctx.index.get(kinds.GATEWAY_CLASS, None, class_name) is None
    ):
        problems.append(f"uses GatewayClass {class_name}, which does not exist")
        evidence.append(f"spec.gatewayClassName={class_name}: no such GatewayClass")
        hard = True
    failing, only_pending = _bad_gateway_conditions(ctx, gw)
    evidence += [condition_text(cond, 400) for cond in failing]
    if failing:
        types = "/".join(str(c.type) for c in failing)
        first = failing[0]
        if only_pending:
            problems.append(
                f"is still {types} Unknown ({first.reason or 'Pending'}): no controller has reconciled it"
            )
        else:
            problems.append(f"is not {types} ({first.reason or '?'}: {one_line(first.message, 120)})")
            hard = True
    for listener_status in gateways.listener_statuses(gw):
        name = listener_status.name or "?"
        bad = sorted(
            (c for c in listener_status.conditions if _LISTENER_BAD.get(c.type) == c.status),
            key=lambda c: _LISTENER_ORDER[c.type],
        )
        evidence += [f"listener {name}: {condition_text(c, 300)}" for c in bad]
        if bad:
            worst = bad[0]
            problems.append(
                f"has listener {name} with {worst.type}={worst.status} "
                f"({worst.reason or '?'}: {one_line(worst.message, 80)})"
            )
            hard = True
    missing_refs = _missing_certificate_refs(ctx, gw)
    evidence += [
        f"listener {listener}: certificateRef Secret {secret} does not exist"
        for listener, secret in missing_refs
    ]
    for listener, secret in missing_refs:
        if not any(p.startswith(f"has listener {listener} ") for p in problems):
            problems.append(f"has listener {listener} whose certificateRef Secret {secret} does not exist")
            hard = True
    if not problems:
        return None
    if gateways.addresses(gw):
        evidence.append("status.addresses: " + ", ".join(gateways.addresses(gw)))
    more = f" (+{len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return ctx.finding(
        gw,
        f"{label} {problems[0]}{more}",
        evidence=evidence,
        hint=(
            f"`kubectl describe gateway {gw.name} -n {gw.namespace}`; for certificate refs check the Secret and "
            "the cert-manager Certificate that writes it (`kubectl get certificate -A`)"
        ),
        severity=Severity.CRITICAL if hard else Severity.WARNING,
    )
