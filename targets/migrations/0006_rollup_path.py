"""Roll-up rows remember the path their figures were added along. Existing rows
get none, so the first incremental update of each tree rebuilds it (which also
files the results of targets handed down twice under their original)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0005_target_origin"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollup",
            name="path",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
    ]
