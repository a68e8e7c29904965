"""Policy objects whose spec is a set of optional features (an Envoy Gateway SecurityPolicy's oidc, basicAuth,
jwt...): which of them an object declares."""

from __future__ import annotations

from collections.abc import Iterable

from homelabctl.k8s._raw import Obj, section


def declared(obj: Obj, names: Iterable[str]) -> tuple[str, ...]:
    """The ``names`` present in ``spec``, whatever their value (``oidc: {}`` declares OIDC)."""
    spec = section(obj, "spec")
    return tuple(name for name in names if name in spec)


def configured(obj: Obj, names: Iterable[str]) -> tuple[str, ...]:
    """The ``names`` set to a non-empty value in ``spec``."""
    spec = section(obj, "spec")
    return tuple(name for name in names if spec.get(name))
