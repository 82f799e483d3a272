"""The database itself refuses changes to the audit trail.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE; it cannot refuse DELETE, because
Django empties SQLite tables with DELETE between transactional tests (PostgreSQL uses TRUNCATE,
which row triggers do not see). On both, the ORM refuses deletes and updates (AuditEvent).
"""

from django.db import migrations

TABLE = "pmo_portal_auditevent"

POSTGRES_UP = f"""
CREATE FUNCTION pmo_portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'audit events are append-only (' || TG_OP || ' refused)',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION pmo_portal_audit_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS auditevent_append_only ON {TABLE};
DROP FUNCTION IF EXISTS pmo_portal_audit_append_only();
"""

SQLITE_UP = [
    f"CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS auditevent_no_update;"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("pmo_portal", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
