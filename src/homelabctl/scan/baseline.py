"""Baselines: accept what a repository already has, report only what is new.

Every finding gets a fingerprint that survives edits elsewhere in the file: the rule, the file, the
object and the message with its numbers blanked (line numbers and counts move), or what the rule says
identifies it (a secret's salted value hash, so a rotated secret is new again). ``--write-baseline FILE``
stores the fingerprints of a run; ``--baseline FILE`` hides the findings whose fingerprint it holds.
SARIF carries the same value as ``partialFingerprints`` so code scanning matches results across runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from homelabctl.errors import ConfigError
from homelabctl.model import Finding

BASELINE_SCHEMA = "homelabctl.scan-baseline/v1"
_NUMBER_RE = re.compile(r"\d+")


def fingerprints(findings: list[Finding], keys: dict[Finding, str]) -> dict[Finding, str]:
    """A fingerprint per finding; identical ones in one run are numbered so each stays distinct."""
    out: dict[Finding, str] = {}
    seen: Counter[str] = Counter()
    for finding in findings:
        key = keys.get(finding) or _NUMBER_RE.sub("#", finding.message)
        base = hashlib.sha256(
            "\0".join((finding.check, finding.file or "", str(finding.object), key)).encode()
        ).hexdigest()[:32]
        seen[base] += 1
        out[finding] = base if seen[base] == 1 else f"{base}:{seen[base]}"
    return out


def load_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a homelabctl baseline: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("schema") != BASELINE_SCHEMA
        or not isinstance(data.get("findings"), list)
    ):
        raise ConfigError(f"{path}: not a homelabctl baseline (expected schema {BASELINE_SCHEMA})")
    return {
        str(item["fingerprint"])
        for item in data["findings"]
        if isinstance(item, dict) and "fingerprint" in item
    }


def baseline_document(findings: list[Finding], prints: dict[Finding, str]) -> dict[str, Any]:
    """What ``--write-baseline`` stores: fingerprints, with enough beside them for a reviewer to read it
    (rule, file, object, message; values are masked in messages already)."""
    return {
        "schema": BASELINE_SCHEMA,
        "findings": [
            {
                "fingerprint": prints[f],
                "rule": f.check,
                "severity": f.severity.value,
                "file": f.file,
                "object": str(f.object),
                "message": f.message,
            }
            for f in findings
        ],
    }


def write_baseline(path: Path, findings: list[Finding], prints: dict[Finding, str]) -> None:
    path.write_text(
        json.dumps(baseline_document(findings, prints), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
