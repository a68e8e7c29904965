"""Flux sources (GitRepository, HelmRepository, OCIRepository, Bucket, HelmChart): where they fetch from."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, section, text


class Origin(msgspec.Struct, frozen=True):
    url: str
    """``spec.url``; empty when unset."""
    endpoint: str
    """A Bucket's ``spec.endpoint``."""
    secret: str
    """``spec.secretRef.name``: the credentials; empty when none are set."""
    source_kind: str
    """A HelmChart's ``spec.sourceRef.kind``: the repository it pulls from; ``?`` when unset."""
    source_name: str

    @property
    def location(self) -> str:
        return self.url or self.endpoint


def origin(res: Obj) -> Origin:
    spec = section(res, "spec")
    source = mapping(spec.get("sourceRef"))
    return Origin(
        text(spec.get("url")),
        text(spec.get("endpoint")),
        text(mapping(spec.get("secretRef")).get("name")),
        text(source.get("kind"), "?") or "?",
        text(source.get("name"), "?") or "?",
    )
