"""Each copy of a committee's target knows the original it descends from, so a
target handed down twice (bloc → đảng bộ cơ sở → chi bộ) still rolls up to the
bloc. Existing copies get theirs by walking ``derived_from`` up."""

import django.db.models.deletion
from django.db import migrations, models


def set_origins(apps, schema_editor):  # noqa: ANN001, ANN201
    Target = apps.get_model("targets", "Target")
    parent_of = dict(
        Target.objects.filter(derived_from__isnull=False).values_list(
            "id", "derived_from_id"
        )
    )
    changed = []
    for target_id in parent_of:
        origin, seen = parent_of[target_id], {target_id}
        while (
            origin in parent_of and origin not in seen
        ):  # a cycle cannot be saved, but be safe
            seen.add(origin)
            origin = parent_of[origin]
        changed.append(Target(id=target_id, origin_id=origin))
    Target.objects.bulk_update(changed, ["origin"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0004_completeness"),
    ]

    operations = [
        migrations.AddField(
            model_name="target",
            name="origin",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="descendants",
                to="targets.target",
                verbose_name="chỉ tiêu gốc",
            ),
        ),
        migrations.RunPython(set_origins, migrations.RunPython.noop),
    ]
