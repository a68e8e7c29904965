from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.schema import SchemaSet, errors_of
from homelabctl.scan.yamlparse import PathKey

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

MAX_ERRORS = 3
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true/false",
    "null": "null",
}


def _type_of(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def describe(error: ValidationError) -> str:
    """One line, without echoing values (a Secret's value must never reach a report)."""
    where = ".".join(str(p) for p in error.absolute_path) or "(document)"
    if error.validator == "required":
        return f"{where}: {error.message.split(' is a required', 1)[0]} is required"
    if error.validator == "type":
        expected: Any = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"{where}: must be {wanted}, not {_TYPE_NAMES[_type_of(error.instance)]}"
    if error.validator == "enum":
        values: Any = error.validator_value
        allowed = ", ".join(str(v) for v in values)
        return f"{where}: must be one of {allowed}"
    if error.validator == "pattern":
        return f"{where}: does not match {error.validator_value}"
    if error.validator == "minItems":
        return f"{where}: needs at least {error.validator_value} item(s)"
    message = error.message if len(error.message) < 120 else error.message[:117] + "..."
    return f"{where}: {error.validator} ({message})"


def _substituted(error: ValidationError) -> bool:
    """``${VAR}`` is replaced by Flux before validation: a string there is not the final value."""
    instance = error.instance
    return isinstance(instance, str) and "${" in instance


@rule("schema-invalid", layer=Layer.PLATFORM, severity=Severity.WARNING)
def schema_invalid(ctx: ScanContext) -> Iterator[Finding]:
    """An object does not validate against its schema (missing required field, wrong type, bad enum).

    Validates every object with ``jsonschema`` (one cached validator per apiVersion/kind): custom resources
    against the ``openAPIV3Schema`` of the CustomResourceDefinitions found in the repository (e.g. the Flux
    CRDs in ``gotk-components.yaml``), core kinds and the usual controllers (Deployment, Service, Ingress,
    HTTPRoute, Gateway, Certificate, HelmRelease, Kustomization, GitRepository...) against compact shipped
    schemas that check required fields and types. The API server would reject the object, and with it the
    whole Flux Kustomization apply (``dry-run failed``). Values holding ``${VAR}`` and SOPS-encrypted
    documents are skipped; at most three errors are shown per object.

    Next step: fix the field the evidence names; ``kubectl apply --dry-run=server -f <file>`` confirms.
    """
    schemas = SchemaSet(
        [
            d
            for d in ctx.repo.of_kind("CustomResourceDefinition")
            if d.api_version == "apiextensions.k8s.io/v1"
        ]
    )
    for doc in ctx.repo.objects:
        if doc.sops_encrypted or not ctx.applied(doc):
            continue
        validator, fast, origin = schemas.validator(doc.api_version, doc.kind)
        if validator is None:
            continue
        problems = [e for e in errors_of(validator, doc.data, fast) if not _substituted(e)]
        if not problems:
            continue
        first: tuple[PathKey, ...] = tuple(problems[0].absolute_path)
        shown = [describe(e) for e in problems[:MAX_ERRORS]]
        more = len(problems) - MAX_ERRORS
        yield ctx.finding(
            doc,
            f"{doc.kind} {doc.name or '(unnamed)'} does not validate: {shown[0]}",
            evidence=[*shown, *([f"... {more} more error(s)"] if more > 0 else []), f"schema: {origin}"],
            hint=f"Fix the field(s) above; `kubectl apply --dry-run=server -f {doc.path}` confirms",
            line=doc.line_of(*first),
        )
