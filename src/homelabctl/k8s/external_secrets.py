"""External Secrets Operator: which store an ExternalSecret reads, which Secret it writes, and whether
they are Ready."""

from __future__ import annotations

from collections.abc import Iterable

from homelabctl import kinds
from homelabctl.k8s._raw import Obj, mapping, section, text
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

CLUSTER_STORE = "ClusterSecretStore"


def store_ref(external_secret: Obj) -> tuple[str, str]:
    """(kind, name) of ``spec.secretStoreRef``: ``SecretStore`` (the default, in the ExternalSecret's
    namespace) or ``ClusterSecretStore``."""
    ref = mapping(section(external_secret, "spec").get("secretStoreRef"))
    return text(ref.get("kind"), "SecretStore") or "SecretStore", text(ref.get("name"))


def target_name(external_secret: Obj) -> str:
    """The Secret it writes: ``spec.target.name``, else the ExternalSecret's own name."""
    name = text(mapping(section(external_secret, "spec").get("target")).get("name"))
    return name or text(section(external_secret, "metadata").get("name"))


def users(index: ClusterIndex, store: Resource) -> list[Resource]:
    """The ExternalSecrets that read ``store``: a SecretStore serves its own namespace, a ClusterSecretStore
    every namespace."""
    cluster = store.kind == CLUSTER_STORE
    found = []
    for es in index.all(kinds.EXTERNAL_SECRET):
        kind, name = store_ref(es)
        if name == store.name and kind == store.kind and (cluster or es.namespace == store.namespace):
            found.append(es)
    return found


def unwritten_targets(index: ClusterIndex, users: Iterable[Resource]) -> list[tuple[Resource, str]]:
    """(ExternalSecret, Secret name) for those of ``users`` (a store's, see :func:`users`) whose target Secret
    does not exist."""
    return [
        (es, target)
        for es in users
        if index.get(kinds.SECRET, es.namespace, target := target_name(es)) is None
    ]
