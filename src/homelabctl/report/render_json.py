from __future__ import annotations

import json
from typing import Any


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def render_diagnose_json(report: dict[str, Any]) -> str:
    """``diagnose -o json``: the root causes and the findings they explain, without the check report's rest."""
    payload = {
        "schema": report["schema"],
        "source": report["source"],
        "root_causes": report["root_causes"],
        "findings": report["findings"],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
