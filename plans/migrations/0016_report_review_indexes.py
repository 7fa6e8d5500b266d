"""A report's deadline and agency are indexed with its review state, in place of the
indexes of the two columns alone.

The columns' own indexes are dropped by name: Django's AlterField(db_index=False) would
also drop every other single-column index of the deadline column, among them the
partial unique indexes behind ``one_accepted_completion_per_deadline`` and
``one_waiting_report_per_deadline``, and not create them again.
"""

import django.db.models.deletion
from django.db import migrations, models

# The indexes Django created for the two foreign keys (their names are the same on
# every database backend).
_COLUMN_INDEXES = {
    "agency_id": "plans_progressreport_agency_id_0d452476",
    "deadline_id": "plans_progressreport_deadline_id_21f722cd",
}


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0015_status_tally"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(fields=["deadline", "review_state"], name="report_deadline_review_idx"),
        ),
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(fields=["agency", "review_state"], name="report_agency_review_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="progressreport",
                    name="agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="plans.agency",
                        verbose_name="cơ quan báo cáo",
                    ),
                ),
                migrations.AlterField(
                    model_name="progressreport",
                    name="deadline",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="plans.deadline",
                        verbose_name="hạn báo cáo",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "plans_progressreport" ("{column}")',
                )
                for column, name in _COLUMN_INDEXES.items()
            ],
        ),
    ]
