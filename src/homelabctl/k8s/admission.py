"""Admission webhook configurations (Validating/MutatingWebhookConfiguration): what each webhook calls."""

from __future__ import annotations

from dataclasses import dataclass

from homelabctl.k8s._raw import Obj, mapping, mappings, raw_of, text


@dataclass(frozen=True, slots=True)
class Webhook:
    name: str
    """``?`` when the webhook has no name."""
    failure_policy: str
    """``Fail`` (the admissionregistration/v1 default) or ``Ignore``."""
    service: tuple[str, str] | None
    """(namespace, name) of ``clientConfig.service``; None for a webhook called by URL."""


def _service(hook: object) -> tuple[str, str] | None:
    svc = mapping(mapping(mapping(hook).get("clientConfig")).get("service"))
    name = text(svc.get("name"))
    return (text(svc.get("namespace")) or "default", name) if name else None


def webhooks(config: Obj) -> tuple[Webhook, ...]:
    return tuple(
        Webhook(
            text(hook.get("name")) or "?",
            text(hook.get("failurePolicy")) or "Fail",
            _service(hook),
        )
        for hook in mappings(raw_of(config).get("webhooks"))
    )
