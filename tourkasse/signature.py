"""What a receipt carries from its TSE transaction, or the note that the TSE failed.

Self-contained, so that a receipt can be printed again, and exported by the hub, from its
journal entry alone.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TseFields:
    certified: bool
    description: str  # e.g. "Software-TSE – nicht zertifiziert"
    serial_number: str | None = None
    client_id: str | None = None
    transaction_number: int | None = None
    signature_counter: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    process_type: str | None = None
    process_data: str | None = None
    signature_algorithm: str | None = None
    time_format: str | None = None
    signature: str | None = None  # base64
    public_key: str | None = None  # base64
    qr: str | None = None
    failure: str | None = None  # set when the TSE failed: the receipt must say so

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key in _FIELD_NAMES:
            value = getattr(self, key)
            if value is not None:
                data[key] = value.isoformat() if isinstance(value, datetime) else value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TseFields:
        values = dict(data)
        for key in ("start", "end"):
            if values.get(key) is not None:
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)

    @classmethod
    def failed_with(cls, reason: str, *, description: str = "TSE") -> TseFields:
        return cls(certified=False, description=description, failure=f"TSE ausgefallen: {reason}")


_FIELD_NAMES = tuple(field.name for field in fields(TseFields))
