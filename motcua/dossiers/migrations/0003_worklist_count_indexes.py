# Indexes for the worklist tab counts and the API list (motcua.dossiers.queries,
# api.list_dossiers): all dossiers by filing date (the list, newest first), a desk's
# unfinished dossiers by intake point and by deciding agency, and the dossiers finished
# this month (province, deciding agency, where they are now); a dossier's steps by agency
# (visibility, tested row by row).

from django.db import migrations, models

NOT_FINAL = [
    "awaiting_payment",
    "awaiting_signature",
    "in_progress",
    "intake_supplement_requested",
    "new_online",
    "processed",
    "received",
    "supplement_requested",
    "withdrawal_requested",
]
FINISHED = ["processed", "rejected", "returned", "stopped", "withdrawn"]


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_open_dossier_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossierstep",
            index=models.Index(fields=["dossier", "agency"], name="step_dossier_agency"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["submitted_at"], name="dossier_submitted"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", NOT_FINAL)),
                fields=["intake_agency", "status", "due_at"],
                name="dossier_intake_not_final",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", NOT_FINAL)),
                fields=["deciding_agency", "status", "due_at"],
                name="dossier_deciding_not_final",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", FINISHED)),
                fields=["finished_at"],
                name="dossier_finished",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", FINISHED)),
                fields=["deciding_agency", "finished_at"],
                name="dossier_deciding_finished",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", FINISHED)),
                fields=["current_agency", "finished_at"],
                name="dossier_current_finished",
            ),
        ),
    ]
