"""One source for "a finding of no failure": the checks' nature, with the exceptions natures.py lists and explains."""

from __future__ import annotations

from homelabctl.checks.registry import REGISTRY, all_checks
from homelabctl.diagnose.natures import GROUPED_CONFIGURATION, NOT_FAILURES, never_symptoms, quotes_unread
from homelabctl.model import Nature


def test_configuration_checks_are_never_symptoms_but_the_grouped_ones() -> None:
    configuration = {spec.id for spec in all_checks() if spec.nature is Nature.CONFIGURATION}
    assert configuration - GROUPED_CONFIGURATION.keys() <= never_symptoms()
    assert (
        "certificate-wildcard-http01" in never_symptoms()
    )  # a cause (wildcard-needs-dns01), never a symptom
    assert not GROUPED_CONFIGURATION.keys() & never_symptoms()
    assert GROUPED_CONFIGURATION.keys() <= quotes_unread()


def test_the_exceptions_name_checks_whose_nature_they_contradict() -> None:
    all_checks()
    for check_id in NOT_FAILURES:
        assert REGISTRY[check_id].nature is Nature.STATE, check_id
        assert check_id in never_symptoms()
    for check_id in GROUPED_CONFIGURATION:
        assert REGISTRY[check_id].nature is Nature.CONFIGURATION, check_id


def test_state_checks_of_failures_stay_symptoms() -> None:
    assert {"pod-crashloop", "flux-not-ready", "node-not-ready"}.isdisjoint(quotes_unread())
