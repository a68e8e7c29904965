"""Cause rule ``stale-claim-ref``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("stale-claim-ref", layer=Layer.STORAGE, rank=0, causes={"pv-bound-elsewhere"})
def stale_claim_ref(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A PersistentVolume whose ``claimRef`` still names an earlier claim keeps the new claim Pending.

    The graph's ``binds`` edge (PV → claim → pods mounting it → their controllers, Services and routes)
    carries the outage; the rule gives the exact fix on the PV, marked as changing the cluster, after the
    read that shows whose data it is.
    """
    name = cause.object.name
    return Explanation(
        set(),
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                "read the stale reference and whose data the volume holds",
                f"kubectl get pv {name} -o jsonpath='{{.spec.claimRef}}{{\"\\n\"}}{{.status.phase}}'",
            ),
            NextStep(
                "clear the stale claimRef so the waiting claim can bind (changes the cluster)",
                f'kubectl patch pv {name} -p \'{{"spec":{{"claimRef":null}}}}\'',
                dangerous=True,
            ),
        ],
    )
