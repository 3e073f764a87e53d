"""PostgreSQL: path prefix searches (LIKE 'prefix%') use these indexes under any
database locale; a plain btree serves them only under the C collation."""

from django.db import migrations

INDEXES = [
    ("org_placement_path_like", "organizations_organizationplacement", "path varchar_pattern_ops, valid_from"),
    ("org_path_like", "organizations_organization", "path varchar_pattern_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_default_levels")]
    operations = [migrations.RunPython(create, drop)]
