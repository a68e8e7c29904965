"""cert-manager ACME DNS-01 solvers: the Secrets their provider credentials reference.

Every DNS-01 provider names its credentials with a ``...SecretRef`` field (``cloudflare.apiTokenSecretRef``,
``route53.secretAccessKeySecretRef``, ``digitalocean.tokenSecretRef``, ``rfc2136.tsigSecretSecretRef``,
``azureDNS.clientSecretSecretRef``, ``clouddns.serviceAccountSecretRef``, ``acmeDNS.accountSecretRef``...),
so the reader finds them by that suffix rather than by a list of providers that grows every release.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, section, text
from homelabctl.k8s.pods import containers, pod_spec
from homelabctl.lazyre import LazyPattern

DEFAULT_CLUSTER_RESOURCE_NAMESPACE = "cert-manager"
_FLAG = "--cluster-resource-namespace="
_MAX_DEPTH = 4
_SECRET_NOT_FOUND = LazyPattern(r'\bsecrets? "([a-z0-9][a-z0-9.-]{0,252})" not found')


class SolverSecret(msgspec.Struct, frozen=True):
    provider: str
    """``cloudflare``, ``route53``...: the key under ``dns01``."""
    field: str
    """Where, e.g. ``dns01.cloudflare.apiTokenSecretRef``."""
    name: str
    key: str


def _secret_refs(value: Mapping[str, Any], path: str, depth: int) -> list[tuple[str, str, str]]:
    found = []
    for key, sub in value.items():
        if not isinstance(sub, Mapping):
            continue
        if str(key).endswith("SecretRef") and text(sub.get("name")):
            found.append((f"{path}.{key}", text(sub.get("name")), text(sub.get("key"))))
        elif depth < _MAX_DEPTH:
            found += _secret_refs(sub, f"{path}.{key}", depth + 1)
    return found


def dns01_secrets(solver: Mapping[str, Any]) -> list[SolverSecret]:
    """The Secrets one solver entry (of ``spec.acme.solvers`` or a Challenge's ``spec.solver``) reads."""
    found = []
    for provider, config in mapping(solver.get("dns01")).items():
        if isinstance(config, Mapping):
            for field, name, key in _secret_refs(config, f"dns01.{provider}", 0):
                found.append(SolverSecret(str(provider), field, name, key))
    return found


def issuer_dns01_secrets(issuer: Obj) -> list[SolverSecret]:
    """Every Secret the DNS-01 solvers of an ACME Issuer/ClusterIssuer reference."""
    acme = mapping(section(issuer, "spec").get("acme"))
    return [s for solver in mappings(acme.get("solvers")) for s in dns01_secrets(solver)]


class ChallengeIssuer(msgspec.Struct, frozen=True):
    kind: str
    name: str
    missing_secret: str
    """The Secret ``status.reason`` says is not found (empty when it says something else)."""
    reason: str


def challenge_issuer(challenge: Obj) -> ChallengeIssuer:
    ref = mapping(section(challenge, "spec").get("issuerRef"))
    reason = text(section(challenge, "status").get("reason"))
    m = _SECRET_NOT_FOUND.search(reason[:4096])
    return ChallengeIssuer(
        text(ref.get("kind")) or "Issuer", text(ref.get("name")), m.group(1) if m else "", reason
    )


def cluster_resource_namespace(deployment: Obj, namespace: str) -> str | None:
    """The ``--cluster-resource-namespace`` flag of a cert-manager controller Deployment (``$(POD_NAMESPACE)``
    is its own namespace); None when the Deployment does not set it."""
    for container in containers(pod_spec(deployment), init=False):
        for arg in (*container.command, *container.args):
            if arg.startswith(_FLAG):
                value = arg[len(_FLAG) :]
                return namespace if value in ("$(POD_NAMESPACE)", "") else value
    return None
