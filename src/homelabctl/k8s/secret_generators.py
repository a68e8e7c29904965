"""Objects that make a Secret from something else, and say when they cannot: a Bitnami SealedSecret (its
controller decrypts ``spec.encryptedData``; ``Synced=False`` with ``no key could decrypt secret`` when the data was
sealed with another key, or for another name or namespace) and an External Secrets ExternalSecret (``Ready=False``
when the provider refuses or lacks the key, its store being Ready). While the generator fails and its Secret was
never written, every pod that needs that Secret waits."""

from __future__ import annotations

import msgspec

from homelabctl import kinds
from homelabctl.k8s import conditions, external_secrets, podrefs
from homelabctl.k8s._raw import Obj, mapping, section, text
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex

_STORE_KINDS = {"SecretStore": kinds.SECRET_STORE, "ClusterSecretStore": kinds.CLUSTER_SECRET_STORE}


class Unwritten(msgspec.Struct, frozen=True):
    """A generator that reports a failure and whose Secret does not exist."""

    generator: ObjectRef
    secret: str
    condition: str
    """``Synced=False reason: message`` (or ``Ready=False``), on one line."""


def sealed_target(sealed: Obj) -> str:
    """The Secret a SealedSecret makes: ``spec.template.metadata.name``, else its own name. (Read here rather than
    through k8s.fluxspec, the GitOps scan's reader, which every ``check`` run would then import.)"""
    name = text(mapping(mapping(section(sealed, "spec").get("template")).get("metadata")).get("name"))
    return name or text(section(sealed, "metadata").get("name"))


def _failed(obj: Resource, type_: str) -> str:
    cond = conditions.condition(obj, type_)
    if cond is None or cond.status != "False":
        return ""
    line = (
        f"{type_}=False"
        + (f" {cond.reason}" if cond.reason else "")
        + (f": {cond.message}" if cond.message else "")
    )
    return " ".join(line.split())[:300]


def _store_ready(index: ClusterIndex, es: Resource) -> bool:
    kind, name = external_secrets.store_ref(es)
    gk = _STORE_KINDS.get(kind)
    store = index.get(gk, None if kind == "ClusterSecretStore" else es.namespace, name) if gk else None
    return store is not None and conditions.condition_status(store, "Ready") == "True"


def unwritten_secrets(index: ClusterIndex) -> list[Unwritten]:
    """SealedSecrets with ``Synced=False`` and ExternalSecrets with ``Ready=False`` whose store is Ready (a store
    that is not is the cause of its own: ``secret-store-not-ready``), whose Secret does not exist."""
    found: list[Unwritten] = []
    for sealed in index.all(kinds.SEALED_SECRET):
        target = sealed_target(sealed)
        line = _failed(sealed, "Synced")
        if line and index.get(kinds.SECRET, sealed.namespace, target) is None:
            found.append(Unwritten(sealed.ref, target, line))
    for es in index.all(kinds.EXTERNAL_SECRET):
        target = external_secrets.target_name(es)
        line = _failed(es, "Ready")
        if line and index.get(kinds.SECRET, es.namespace, target) is None and _store_ready(index, es):
            found.append(Unwritten(es.ref, target, line))
    return found


def pods_waiting(index: ClusterIndex, unwritten: Unwritten) -> list[Resource]:
    """The live pods in the generator's namespace that need its Secret (volume, env or envFrom)."""
    return [
        pod
        for pod in podrefs.pods_needing_secret(index, unwritten.generator.namespace, unwritten.secret)
        if not pod.deletion_timestamp
    ]
