"""The pydantic model of ``.homelabctl.yaml``'s ``scan:`` section.

Kept apart from ``config.py`` so a scan of a repository without a config file never imports pydantic
(a quarter of a small scan's start-up); it is imported only to validate a file that exists.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ScanSection(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    ignore: list[str] = Field(
        default_factory=list, description="Rule ids never reported for this repository."
    )
    ignore_paths: list[str] = Field(default_factory=list, description="Glob patterns of files not scanned.")
    kube_version: str | None = Field(
        default=None, description='Kubernetes version to check APIs against, e.g. "1.32".'
    )
    k3s: bool | None = Field(default=None, description="The cluster runs K3s; omit to detect.")
    gpu_count: int | None = Field(
        default=None, ge=1, description="Physical GPUs behind the time-slicing config."
    )

    @field_validator("kube_version", mode="before")
    @classmethod
    def _quoted_version(cls, value: Any) -> Any:
        if isinstance(value, float):
            # `kube_version: 1.30` unquoted is a float, and 1.30 would read back as "1.3".
            raise ValueError('quote the version (e.g. "1.30"): unquoted it is a number and loses digits')
        return value


def validate_scan_section(data: Any) -> dict[str, Any]:
    """The validated fields; raises ``ValueError("scan.<field>: <problem>")`` naming the first problem."""
    try:
        return ScanSection.model_validate(data).model_dump()
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in ("scan", *error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ValueError(f"{where}: {message}") from None
