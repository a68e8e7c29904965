"""Literal pre-checks that spare most texts a regular-expression search (and the pattern its compiling) must
never change what the search finds: each gated reading against the full one, on texts built from the phrases,
their case variants (long s, dotless i, Kelvin sign) and ordinary words."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.diagnose.rules import _common
from homelabctl.k8s import config_files, datastore_errors, exhaustion
from homelabctl.knowledge import net_errors

_ODD_CASES = ["ſ", "ı", "İ", "\u212a", "\u212b", "S", "I", "K", " ", "\n", "/", "-", ".", "x", "5"]


def _texts(phrases: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(phrases + _ODD_CASES), max_size=8).map("".join)


_EXHAUSTION = [
    "too many open files",
    "TOO MANY OPEN FILEſ",
    "inotify",
    "ınotıfy",
    " limit",
    " reached",
    "inſtances",
    "number of ",
    "failed to create ",
    "fs",
    "file system",
    " watcher",
    "inotify_add_watch",
    "no space left on device",
    "NO ſPACE LEFT ON DEVICE",
    "ENOSPC: System limit for number of file watchers",
    "no IP addresses available in range set",
    "no ıp addresses",
    "failed to allocate for range 10",
    "range is full",
    "no more IPs available",
    "no more ip left",
    "ipam",
    "exhausted",
    "Back-off restarting failed container",
]


def _classify_in_full(message: str) -> tuple[str, str] | None:
    """``classify`` as it read before its gate: every pattern searched."""
    clipped = message[: exhaustion._MAX_TEXT]
    for resource, _words, pattern in exhaustion._PATTERNS:
        if pattern.search(clipped) is not None:
            return resource, ""
    return None


@given(_texts(_EXHAUSTION))
def test_exhaustion_gate_changes_nothing(message: str) -> None:
    found = exhaustion.classify(message)
    full = _classify_in_full(message)
    assert (found[0] if found else None) == (full[0] if full else None)


def test_every_exhaustion_phrase_passes_its_gate() -> None:
    for phrase in _EXHAUSTION:
        for resource, words, pattern in exhaustion._PATTERNS:
            if pattern.search(phrase):
                assert any(word in phrase.lower() for word in words), (resource, phrase)


@given(_texts(["etcdserver: ", "etcdserver", ": ", "request timed out", "leader changed", "no leader", "x"]))
def test_etcd_gate_changes_nothing(message: str) -> None:
    assert bool(datastore_errors.etcd_error_line(message)) == bool(
        datastore_errors._ETCD_ERROR.search(message)
    )


@given(_texts(["/etc/app", "/config.yaml", "a/b", "//", "http://x", "/", "open ", ": no such file"]))
def test_path_gate_changes_nothing(message: str) -> None:
    found = config_files._PATH.findall(message)
    assert not found or message.count("/") > 1


@given(
    _texts(
        [*net_errors.TIMEOUT_PHRASES, "Client.Timeout exceeded", "tımed out", "ETIMEDOUT", "timeout", "med"]
    )
)
def test_timeout_gate_changes_nothing(text: str) -> None:
    full = net_errors.TIMEOUT.search(text)
    gated = net_errors.timeout(text)
    assert (gated.group(0) if gated else None) == (full.group(0) if full else None)


def test_every_timeout_phrase_has_a_gate_word() -> None:
    """A phrase added to the knowledge without a word of the gate would never be searched for."""
    for phrase in net_errors.TIMEOUT_PHRASES:
        lowered = phrase.replace("\\.", ".").lower()
        assert any(word in lowered for word in net_errors.TIMEOUT_WORDS), phrase


@given(_texts(["`kubectl get pods`", "`", "kubectl ", "flux ", "run ", "`helm <release>`", "x"]))
def test_hint_command_gate_changes_nothing(hint: str) -> None:
    steps = _common.hint_steps(hint)
    full = [c for c in _common._BACKTICKED.findall(hint) if not _common._PLACEHOLDER.search(c)]
    assert [s.command for s in steps] == ([full[0] if full else None] if hint else [])


@given(
    _texts(
        [
            "not found in the list of registered CSI drivers",
            "NOT FOUND in the list of registered csi drivers",
            "context deadline exceeded",
            "i/o timeout",
            "I/O timeout",
            "driver name x",
        ]
    )
)
def test_csi_symptom_phrases_are_the_pattern(text: str) -> None:
    pattern = r"not found in the list of registered CSI drivers|context deadline exceeded|i/o timeout"
    assert any(phrase in text for phrase in _common._CSI_SYMPTOM_PHRASES) == bool(re.search(pattern, text))
