"""Stored plans and their append-only audit log, in the sessions database (schema migration 2).

A plan and the audit line of the change that produced it are written in one transaction; the
audit log refuses UPDATE and DELETE (SQLite triggers). Every query is scoped by plan id. A damaged,
read-only or full database is one line naming the file, as for the sessions.
"""

from __future__ import annotations

import json
import sqlite3

from pydantic import BaseModel, ConfigDict, ValidationError

from .review import Change, ReviewError, StoredPlan
from .sessions import SessionStore, now
from .storage import guarded


class PlanInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    created: str
    updated: str
    company: str
    status: str
    source: str


class PlanStore:
    """Stored plans and their audit log, in the sessions database (schema migration 2).

    A plan and the audit line of the change that produced it are written in one transaction; the
    audit log is append-only (SQLite triggers refuse UPDATE and DELETE on it).
    """

    def __init__(self, sessions: SessionStore) -> None:
        self.sessions = sessions

    @guarded
    def create(self, plan: StoredPlan, company: str, source: str, change: Change) -> None:
        created = now()
        self.sessions.mark_held()
        with self.sessions.transaction() as db:
            db.execute(
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                (plan.id, created, created, company, plan.status.value, source, plan.model_dump_json()),
            )
            self._log(db, plan.id, change)

    @guarded
    def update(self, plan: StoredPlan, change: Change) -> None:
        with self.sessions.transaction() as db:
            self._require(db, plan.id)
            db.execute(
                "UPDATE plans SET updated = ?, status = ?, stored = ? WHERE id = ?",
                (now(), plan.status.value, plan.model_dump_json(), plan.id),
            )
            self._log(db, plan.id, change)

    @guarded
    def load(self, plan_id: str) -> StoredPlan:
        row = self.sessions.connection.execute("SELECT stored FROM plans WHERE id = ?", (plan_id,)).fetchone()
        if row is None:
            raise ReviewError(f"no plan {plan_id!r} (see 'plannum plans list')")
        try:
            return StoredPlan.model_validate_json(row[0])
        except ValidationError as exc:
            raise ReviewError(f"plan {plan_id}: stored plan is unreadable ({exc.error_count()} errors)") from None

    @guarded
    def latest_from(self, source: str) -> str | None:
        """The id of the latest plan stored from ``source`` (e.g. "web session ID"), if any."""
        row = self.sessions.connection.execute(
            "SELECT id FROM plans WHERE source = ? ORDER BY updated DESC LIMIT 1", (source,)
        ).fetchone()
        return None if row is None else str(row[0])

    @guarded
    def listing(self) -> list[PlanInfo]:
        rows = self.sessions.connection.execute(
            "SELECT id, created, updated, company, status, source FROM plans ORDER BY updated DESC"
        ).fetchall()
        keys = ("id", "created", "updated", "company", "status", "source")
        return [PlanInfo(**dict(zip(keys, row, strict=True))) for row in rows]

    @guarded
    def log(self, plan_id: str) -> list[Change]:
        self.load(plan_id)
        rows = self.sessions.connection.execute(
            "SELECT reviewer, at, action, item, before, after, comment FROM plan_audit WHERE plan_id = ? ORDER BY seq",
            (plan_id,),
        ).fetchall()
        return [
            Change(
                reviewer=r[0],
                at=r[1],
                action=r[2],
                item=r[3],
                before=json.loads(r[4]) if r[4] is not None else None,
                after=json.loads(r[5]) if r[5] is not None else None,
                comment=r[6],
            )
            for r in rows
        ]

    @staticmethod
    def _require(db: sqlite3.Connection, plan_id: str) -> None:
        if db.execute("SELECT 1 FROM plans WHERE id = ?", (plan_id,)).fetchone() is None:
            raise ReviewError(f"no plan {plan_id!r} (see 'plannum plans list')")

    @staticmethod
    def _log(db: sqlite3.Connection, plan_id: str, change: Change) -> None:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM plan_audit WHERE plan_id = ?", (plan_id,)).fetchone()
        db.execute(
            "INSERT INTO plan_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan_id,
                seq[0],
                change.at,
                change.reviewer,
                change.action,
                change.item,
                json.dumps(change.before, ensure_ascii=False) if change.before is not None else None,
                json.dumps(change.after, ensure_ascii=False) if change.after is not None else None,
                change.comment,
            ),
        )
