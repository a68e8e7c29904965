"""The JSON Schema of homelab.yaml, generated from the pydantic model and shipped as homelab.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homelabctl.inventory.model import Inventory

SCHEMA_ID = "https://homelabctl.dev/schemas/homelab/v1.json"
SCHEMA_FILE = Path(__file__).with_name("homelab.schema.json")


def inventory_schema() -> dict[str, Any]:
    schema = Inventory.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    return json.dumps(inventory_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_FILE) -> None:
    path.write_text(schema_text(), encoding="utf-8")


if __name__ == "__main__":  # python -m homelabctl.inventory.schema: regenerate the shipped file
    write_schema()
