"""claim-growth-refused: the StorageClass that does not allow expansion is the cause of the Flux Kustomization
whose dry-run the API server refused; the Kustomization is its symptom."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import state
from factories_platform import grown_claim


def test_the_storage_class_is_the_cause_of_the_refused_kustomization() -> None:
    report = analyze(state(grown_claim(allow_expansion=False))).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "StorageClass", "namespace": None, "name": "longhorn-retain"}
    assert top["rule"] == "claim-growth-refused"
    held = {(f["check"], f["object"]["name"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert ("flux-not-ready", "apps-home") in held
    assert any(link["edge"] == "mentions" for link in top["chain"])


def test_a_class_that_allows_expansion_is_no_cause() -> None:
    report = analyze(state(grown_claim(allow_expansion=True))).report
    assert all(rc["rule"] != "claim-growth-refused" for rc in report["root_causes"])
