"""Records the diagnosis produces."""

from __future__ import annotations

import msgspec

from homelabctl.model import Finding, Layer, ObjectRef


class NextStep(msgspec.Struct, frozen=True):
    text: str
    command: str | None = None
    dangerous: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "command": self.command, "dangerous": self.dangerous}


class ChainLink(msgspec.Struct, frozen=True):
    """One step of a cause's explanation: ``cause`` —``edge``→ ``symptom``, and why the edge exists."""

    cause: ObjectRef
    edge: str
    symptom: ObjectRef
    provenance: str
    """The field that makes the dependency, or the words in a message/event that named the object."""

    def to_dict(self) -> dict[str, object]:
        return {
            "from": self.cause.to_dict(),
            "edge": self.edge,
            "to": self.symptom.to_dict(),
            "provenance": self.provenance,
        }


class RootCause(msgspec.Struct, frozen=True):
    cause: Finding
    rule: str
    summary: str
    symptoms: tuple[Finding, ...] = ()
    confidence: str = "medium"
    score: float = 0.5
    evidence: tuple[str, ...] = ()
    next_steps: tuple[NextStep, ...] = msgspec.field(default=())
    target: ObjectRef | None = None
    """The object to fix when it is not the cause finding's object (a crashing pod's Deployment)."""
    chain: tuple[ChainLink, ...] = ()
    """How the cause reaches its symptoms, edge by edge, each with its provenance."""
    target_layer: Layer | None = None
    """The layer of ``target`` when it differs from the cause finding's."""

    @property
    def layer(self) -> Layer:
        return self.target_layer or self.cause.layer

    @property
    def object(self) -> ObjectRef:
        return self.target or self.cause.object
