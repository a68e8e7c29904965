"""Cause rule ``snapshot-location-conflict``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import BACKS_UP
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("snapshot-location-conflict", layer=Layer.BACKUP, rank=0, causes={"velero-vsl-conflict"})
def snapshot_location_conflict(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Ambiguous VolumeSnapshotLocations make every backup that snapshots volumes fail validation.

    With two locations for one provider and no default, Velero refuses the backup ("provider aws has more
    than one possible volume snapshot location"). The failing Schedules and the other location's findings
    are grouped under the conflict.
    """
    same = {f.object for f in ctx.by_check.get(cause.check, [])}
    impacted = ctx.propagate({cause.object} | same, (BACKS_UP,))
    return Explanation(
        impacted, cause.message, list(cause.evidence),
        [NextStep("delete the location you do not use, or name a default on the velero server",
                  "velero snapshot-location get; velero server --default-volume-snapshot-locations aws:<name>")])
