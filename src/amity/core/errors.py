"""Collecting every bad field of a write before refusing it, so one answer names them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError

T = TypeVar("T")


class FieldErrors(dict[str, str]):
    """Field → message; `check` runs one rule and keeps its error instead of stopping at it."""

    def check(self, rule: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return rule(*args, **kwargs)
        except ValidationError as error:
            self.add(error)
            return None

    def add(self, error: ValidationError, *, prefix: str = "") -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.setdefault(f"{prefix}{field}", " ".join(messages))
        else:
            self.setdefault(prefix.rstrip(".") or "body", " ".join(error.messages))

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))
