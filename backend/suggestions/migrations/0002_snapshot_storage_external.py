"""Pickled indexes are stored out of line without PostgreSQL's compression (pglz): writing
and reading tens of megabytes is then bound by I/O, not by compressing them again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE suggestions_indexsnapshot ALTER COLUMN data SET STORAGE EXTERNAL",
            "ALTER TABLE suggestions_indexsnapshot ALTER COLUMN data SET STORAGE EXTENDED",
        ),
    ]
