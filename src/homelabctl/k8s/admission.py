"""Admission webhooks: which Service each entry calls, what it does on failure, and what it matches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, items, mapping, mappings, raw_of, section, string_map, strings, text
from homelabctl.selectors import Selector, from_spec

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label the API server puts on every Namespace (its name): selectors may match on it."""


class Webhook(msgspec.Struct, frozen=True):
    """One entry of a Validating/MutatingWebhookConfiguration."""

    name: str
    """``?`` when the entry has no name."""
    failure_policy: str
    """``Fail`` (the default in admissionregistration/v1) or ``Ignore``."""
    service: tuple[str, str] | None
    """(namespace, name) of the Service it calls; None for a URL webhook."""
    namespace_selector: Selector | None
    """None: every namespace."""
    object_selector: Selector | None
    """None: every object."""
    creates_pods: bool
    """Its rules match CREATE of core ``pods``: a controller cannot create pods while it fails closed."""

    @property
    def fails_closed(self) -> bool:
        return self.failure_policy != "Ignore"

    def matches(self, namespace_labels: Mapping[str, str], object_labels: Mapping[str, str]) -> bool:
        """Does the entry intercept an object with these labels in a namespace with these labels?"""
        return (self.namespace_selector is None or self.namespace_selector.matches(namespace_labels)) and (
            self.object_selector is None or self.object_selector.matches(object_labels)
        )


def _creates_pods(rules: list[Mapping[str, Any]]) -> bool:
    for rule in rules:
        operations = strings(rule.get("operations"))
        groups = [text(g) for g in items(rule.get("apiGroups"))]  # "" is the core group: keep it
        resources = strings(rule.get("resources"))
        if (
            ("CREATE" in operations or "*" in operations)
            and ("" in groups or "*" in groups)
            and any(r in ("pods", "*", "*/*") for r in resources)
        ):
            return True
    return False


def _selector(value: object) -> Selector | None:
    """An absent or empty LabelSelector matches everything (None here)."""
    found = from_spec(mapping(value)) if isinstance(value, Mapping) else None
    return None if found is None or found.empty else found


def webhooks(config: Obj) -> tuple[Webhook, ...]:
    """The entries of a webhook configuration (``webhooks[]``), malformed ones skipped."""
    found = []
    for hook in mappings(raw_of(config).get("webhooks")):
        name = text(hook.get("name")) or "?"  # kept: an unnamed entry still fails closed
        svc = mapping(mapping(hook.get("clientConfig")).get("service"))
        service = (
            (text(svc.get("namespace"), "default") or "default", text(svc.get("name")))
            if text(svc.get("name"))
            else None
        )
        rules = mappings(hook.get("rules"))
        found.append(
            Webhook(
                name,
                text(hook.get("failurePolicy"), "Fail") or "Fail",
                service,
                _selector(hook.get("namespaceSelector")),
                _selector(hook.get("objectSelector")),
                _creates_pods(rules),
            )
        )
    return tuple(found)


def namespace_labels(namespace: Obj | None, name: str) -> dict[str, str]:
    """A namespace's labels as a selector sees them (the API server's name label always among them)."""
    labels = string_map(section(namespace, "metadata").get("labels")) if namespace is not None else {}
    labels.setdefault(NAMESPACE_NAME_LABEL, name)
    return labels
