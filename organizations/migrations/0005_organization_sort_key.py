"""Organisations sort by a stored Vietnamese sort key of their name."""

from django.db import migrations, models


def fill_sort_keys(apps, schema_editor):
    from partyreports.formatting import vietnamese_text_sort_key

    Organization = apps.get_model("organizations", "Organization")
    batch = []
    for organization in Organization.objects.only("id", "name").iterator(chunk_size=2000):
        organization.sort_key = vietnamese_text_sort_key(organization.name)
        batch.append(organization)
        if len(batch) == 2000:
            Organization.objects.bulk_update(batch, ["sort_key"])
            batch = []
    Organization.objects.bulk_update(batch, ["sort_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0004_organization_place_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="sort_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=600),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
    ]
