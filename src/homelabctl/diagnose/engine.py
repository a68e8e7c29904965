"""Placeholder until the diagnosis engine lands: no root causes."""

from __future__ import annotations

from collections.abc import Sequence

from homelabctl.diagnose.model import RootCause
from homelabctl.model import Finding
from homelabctl.sources.base import ClusterState


def diagnose(state: ClusterState, findings: Sequence[Finding]) -> list[RootCause]:
    return []
