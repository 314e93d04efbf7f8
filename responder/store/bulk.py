"""Multi-row inserts without building ORM objects (batch triage writes hundreds of rows at once).

A SQLModel table object costs more to construct than to insert; `insert_rows` fills in each
model's declared defaults (`default`, `default_factory`) and sends one executemany, which
SQLAlchemy turns into multi-row `INSERT ... RETURNING` statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel


@cache
def _fields(model: type[SQLModel]) -> tuple[tuple[str, Any], ...]:
    return tuple((name, f) for name, f in model.model_fields.items() if name != "id")


def row_values(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """`values` completed with the model's defaults for every other column (not the id)."""
    out = dict(values)
    for name, field in _fields(model):
        if name not in out:
            # No declared default (a nullable column like `approved_at`): NULL, as the ORM does.
            required = field.is_required()
            out[name] = None if required else field.get_default(call_default_factory=True)
    return out


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` (see `row_values`) in the session's transaction; their ids, in order."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.execute(stmt, rows).scalars()]
