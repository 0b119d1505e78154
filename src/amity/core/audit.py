"""Writing the audit trail: every service that changes a record calls `record` in its transaction.

Which door a change came through (web, API, CLI, task, import) and which token made it are
facts of the request, not of the service, so they travel in a context variable set by the
middleware, the API's authentication, the CLI and the task runner.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db import models

from amity.core.models import ApiToken, AuditEntry, Door, User, Workspace


@dataclass(frozen=True)
class AuditContext:
    door: str = Door.SYSTEM
    token: ApiToken | None = None
    label: str = ""


_context: ContextVar[AuditContext] = ContextVar("amity_audit_context", default=AuditContext())  # noqa: B039 - frozen, so never mutated


def current() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def acting_through(door: str, *, token: ApiToken | None = None, label: str = "") -> Iterator[AuditContext]:
    """Mark every audit entry written inside the block as coming through `door`."""
    reset = _context.set(replace(_context.get(), door=door, token=token, label=label))
    try:
        yield _context.get()
    finally:
        _context.reset(reset)


def set_door(door: str, *, token: ApiToken | None = None) -> None:
    """Set the door for the rest of this request or thread (the API's authenticator uses this)."""
    _context.set(replace(_context.get(), door=door, token=token))


_PLAIN = frozenset({str, int, float, bool})


def jsonable(value: Any) -> Any:
    """A value as the audit log keeps it: ids for records, ISO text for times, text for decimals."""
    if value is None or type(value) in _PLAIN:  # most values, at once: an import snapshots millions
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of some fields, as JSON-ready values (foreign keys as ids)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attribute = field.attname if isinstance(field, models.ForeignKey) else name
        values[name] = jsonable(getattr(instance, attribute))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Only the fields that changed, as {field: [before, after]}."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def record(
    *,
    actor: User | None,
    workspace: Workspace,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Write one audit entry for a change to `obj` made by `actor` (None for the system)."""
    context = current()
    label = context.label or (actor.email if actor else "system")
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=actor,
        token=context.token,
        actor_label=label[:200],
        door=context.door,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=(object_repr or str(obj))[:200],
        changes=jsonable(dict(changes or {})),
    )
