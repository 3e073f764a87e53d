"""Default levels of the tree. They are data: a deployment may rename them."""

from django.db import migrations

LEVELS = [
    # code, name, order, is_grassroots, holds_members
    ("upper", "Đảng bộ cấp trên cơ sở", 10, False, False),
    ("grassroots_committee", "Đảng bộ cơ sở", 20, True, False),
    ("grassroots_cell", "Chi bộ cơ sở", 21, True, True),
    ("sub_committee", "Đảng bộ bộ phận", 30, False, False),
    ("cell", "Chi bộ trực thuộc", 40, False, True),
]


def create_levels(apps, schema_editor):
    Level = apps.get_model("organizations", "OrganizationLevel")
    for code, name, order, grassroots, holds in LEVELS:
        Level.objects.get_or_create(
            code=code,
            defaults={"name": name, "order": order, "is_grassroots": grassroots, "holds_members": holds},
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
