"""Cause rule ``acme-server-refuses``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import EXTERNAL
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, explanation_from
from homelabctl.k8s import acme_refusals
from homelabctl.model import Finding, Layer, ObjectRef


@cause_rule("acme-server-refuses", layer=Layer.PLATFORM, rank=0, causes={"acme-server-refusing"})
def acme_server_refuses(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """An ACME server refusing orders on its side explains the Certificates it refused, and what waits for
    them: their Secrets, the Gateway listeners and Ingresses serving them, the routes behind those. Only the
    Certificates whose own conditions quote the refusal: the issuer's other Certificates are issued."""
    host = cause.object.name
    start: set[ObjectRef] = set()
    for (where, _), refused in acme_refusals.refusals(ctx.index).items():
        if where != host:
            continue
        for r in refused:
            ctx.graph.add(
                cause.object, EXTERNAL, r.certificate, f"{r.quoted_by.kind} {r.quoted_by.name}: {r.line}"
            )
            start.add(r.certificate)
    if not start:
        return None
    return explanation_from(ctx, cause, start, describe_step(min(start)))
