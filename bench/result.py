"""One line of the figures table: a load run or a throughput measurement."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    scenario: str
    case: str
    database: str = ""
    concurrency: int | None = None
    requests: int | None = None
    errors: int = 0
    seconds: float | None = None
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    rows: int | None = None
    rows_per_second: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        return cls(**data)
