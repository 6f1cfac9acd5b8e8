"""workshop_cancel

A planned workshop can be cancelled: a fourth status, and when and why.

Revision ID: 0007
Revises: 0006
"""
import re

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('workshops', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('workshops', sa.Column('cancel_reason', sa.Text(), nullable=True))
    _status_check(('planned', 'live', 'closed', 'cancelled'))


def downgrade() -> None:
    # Without the status, a cancelled workshop is kept as a past one, closed when cancelled
    # (it never started: it has no contributions, votes or attendance).
    op.execute("UPDATE workshops SET status = 'closed', closed_at = cancelled_at "
               "WHERE status = 'cancelled'")
    _status_check(('planned', 'live', 'closed'))
    op.drop_column('workshops', 'cancel_reason')  # SQLite: ALTER TABLE DROP COLUMN (3.35+)
    op.drop_column('workshops', 'cancelled_at')


def _status_check(statuses: tuple[str, ...]) -> None:
    check = f"status IN ({', '.join(repr(s) for s in statuses)})"
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint('ck_workshop_status', 'workshops', type_='check')
        op.create_check_constraint('ck_workshop_status', 'workshops', check)
        return
    # SQLite alters no constraint, and batch mode's copy of the table would not do: dropping
    # the old table deletes, through ON DELETE CASCADE, the agenda items, votes and attendance
    # of every workshop (foreign keys are on, and cannot be turned off inside the migration's
    # transaction). The stored definition is edited instead, as SQLite documents for changes
    # that the stored rows already satisfy (sqlite.org/lang_altertable.html#otheralter).
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master "
                               "WHERE type = 'table' AND name = 'workshops'").scalar_one()
    sql, found = re.subn(r"CONSTRAINT ck_workshop_status CHECK \(status IN \([^)]*\)\)",
                         f"CONSTRAINT ck_workshop_status CHECK ({check})", sql)
    if found != 1:
        raise RuntimeError("workshops: ck_workshop_status not found in the table's definition")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? "
                         "WHERE type = 'table' AND name = 'workshops'", (sql,))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
