"""Default levels of the tree (organizations/levels.py); a post_migrate handler
keeps them present after test flushes too."""

from django.db import migrations

from organizations.levels import ensure_default_levels


def create_levels(apps, schema_editor):
    ensure_default_levels(apps.get_model("organizations", "OrganizationLevel"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
