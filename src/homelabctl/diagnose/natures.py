"""Which findings report something failing: read from each check's ``nature`` (``CheckSpec.nature``, the one
source), with the few exceptions where the diagnosis's question and the nature's answer really differ.

The nature says what a check reads: ``configuration`` judges spec and metadata only (it also runs on manifests
never applied), ``state`` needs what an API server returned. The diagnosis asks something else: does the finding
say that something fails now, which another failure can cause? For most checks the two answers agree: a
configuration finding (a wildcard on an HTTP-01 issuer, a deprecated apiVersion, a dependsOn naming nothing) can
be a cause but is never a symptom, and its quotes name what the object uses, not what failed it. The exceptions
below are the checks where they do not.
"""

from __future__ import annotations

from functools import cache

from homelabctl.checks.registry import REGISTRY, all_checks
from homelabctl.model import Nature

NOT_FAILURES: dict[str, str] = {
    "pod-restarts": "reads status.containerStatuses[].restartCount, which only a live API returns, but past restarts "
    "are no current failure: never a symptom, except of a rule that names the pods whose own last termination "
    "quotes its cause (Explanation.restarted_by)",
    "kubelet-version-skew": "reads status.nodeInfo.kubeletVersion (state), but a version difference is how the "
    "nodes were upgraded, not something another failure causes",
    "no-node-problem-detector": "reads the pods that run (state: on manifests it would fire for every directory "
    "without it), but a component not deployed is a gap in coverage, not a failure",
}
"""State checks whose findings report no failure: never symptoms, never propagating, their quotes not read."""

GROUPED_CONFIGURATION: dict[str, str] = {
    "node-cordoned": "configuration (it reads spec.unschedulable), and it makes nothing fail by itself (it stays "
    "non-propagating), but the cordon is part of a failure on its own node: a forgotten cordon that strands a "
    "pod's pinned volume (node-cordon-strands-volumes) groups the node's node-cordoned finding with it",
    "velero-vsl-conflict": "configuration (two VolumeSnapshotLocations of one provider, no default), reported on "
    "each location of the conflict: the conflict is one cause, and the other locations' findings are grouped "
    "under it (snapshot-location-conflict) instead of standing as causes of their own",
}
"""Configuration checks whose findings may still be grouped under a cause (their quotes stay unread)."""


def quotes_unread() -> frozenset[str]:
    """Checks whose findings report no failure: configuration checks and NOT_FAILURES. What they quote names
    what an object uses or is, not what failed it, so evidence linking does not read it."""
    return _quotes_unread(len(REGISTRY))


def never_symptoms() -> frozenset[str]:
    """Checks whose findings are never symptoms (and, unless a rule reads them, no cause either): those of
    ``quotes_unread`` but GROUPED_CONFIGURATION."""
    return _never_symptoms(len(REGISTRY))


@cache
def _quotes_unread(_registered: int) -> frozenset[str]:
    # keyed on the number of registered checks: a check registered later (a test's) is counted
    configuration = {spec.id for spec in all_checks() if spec.nature is Nature.CONFIGURATION}
    return frozenset(configuration | NOT_FAILURES.keys())


@cache
def _never_symptoms(_registered: int) -> frozenset[str]:
    return quotes_unread() - GROUPED_CONFIGURATION.keys()
