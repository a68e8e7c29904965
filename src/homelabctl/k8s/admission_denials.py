"""An admission webhook that answered and said no: which webhook, and (Kyverno) which policies and rules."""

from __future__ import annotations

import re

import msgspec

from homelabctl import kinds
from homelabctl.k8s import admission
from homelabctl.k8s._raw import Obj, section, text
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex

_DENIED = LazyPattern(
    r'admission webhook "(?P<webhook>[^"]{1,253})" denied the request:?[ \t]*(?P<rest>.*)', re.DOTALL
)
_KYVERNO_BLOCKED = "blocked due to the following policies"
_POLICY_LINE = LazyPattern(r"^(?P<policy>[a-z0-9][a-z0-9.-]{0,252}):\s*$")
_RULE_LINE = LazyPattern(r"^\s+(?P<rule>[A-Za-z0-9][A-Za-z0-9._-]{0,252}):\s*(?P<message>.*)$")
_MAX_TEXT = 4096


class PolicyVerdict(msgspec.Struct, frozen=True):
    """One Kyverno policy that blocked the object, with the rules that failed and their messages."""

    policy: str
    rules: tuple[tuple[str, str], ...]


class Denial(msgspec.Struct, frozen=True):
    webhook: str
    """The webhook entry's name, e.g. ``validate.kyverno.svc-fail``."""
    reason: str
    """What the webhook said, on one line."""
    policies: tuple[PolicyVerdict, ...] = ()
    """Kyverno's policies, when the message lists them."""


def denial(message: str) -> Denial | None:
    """The webhook's refusal in a ``FailedCreate`` message, or None when the message is not one."""
    found = _DENIED.search(message[:_MAX_TEXT])
    if found is None:
        return None
    rest = found.group("rest")
    policies: list[PolicyVerdict] = []
    if _KYVERNO_BLOCKED in rest:
        current: str | None = None
        rules: list[tuple[str, str]] = []
        for line in rest.split(_KYVERNO_BLOCKED, 1)[1].splitlines():
            if policy := _POLICY_LINE.match(line):
                if current is not None:
                    policies.append(PolicyVerdict(current, tuple(rules)))
                current, rules = policy.group("policy"), []
            elif current is not None and (rule := _RULE_LINE.match(line)):
                rules.append((rule.group("rule"), rule.group("message").strip().strip("'")))
        if current is not None:
            policies.append(PolicyVerdict(current, tuple(rules)))
    return Denial(found.group("webhook"), " ".join(rest.split())[:300], tuple(policies))


def failure_action(policy: Obj) -> str:
    """A Kyverno policy's ``spec.validationFailureAction`` (``Enforce`` or ``Audit``); empty when unset."""
    return text(section(policy, "spec").get("validationFailureAction"))


def refusing_objects(
    index: ClusterIndex, denial: Denial, namespace: str | None
) -> list[Resource | ObjectRef]:
    """The objects to change for a denial of an object in ``namespace``: the Kyverno policies the message names
    (a Policy of that namespace, else the ClusterPolicy), else the ValidatingWebhookConfiguration holding the
    webhook; references when they are not in the snapshot."""
    if denial.policies:
        found: list[Resource | ObjectRef] = []
        for verdict in denial.policies:
            ns, _, name = verdict.policy.rpartition("/")
            policy = index.get(kinds.KYVERNO_POLICY, ns or namespace, name)
            if policy is None and not ns:
                policy = index.get(kinds.KYVERNO_CLUSTER_POLICY, None, name)
            found.append(
                policy
                if policy is not None
                else ObjectRef("ClusterPolicy", None, name)
                if not ns
                else ObjectRef("Policy", ns, name)
            )
        return found
    for config in index.all(kinds.VALIDATING_WEBHOOK):
        if any(hook.name == denial.webhook for hook in admission.webhooks(config)):
            return [config]
    return [ObjectRef("ValidatingWebhookConfiguration", None, denial.webhook)]
