"""npt_unaccent(text): accent folding without the unaccent extension.

The embedded PostgreSQL (pgserver) ships no contrib extensions, and managed servers do not
always allow them; a plain SQL function works everywhere and, being IMMUTABLE, can be indexed.
"""

from django.db import migrations

ACCENTED = "àâäáãåÀÂÄÁÃÅçÇéèêëÉÈÊËíìîïÍÌÎÏñÑóòôöõÓÒÔÖÕúùûüÚÙÛÜýÿÝŸ"
PLAIN = "aaaaaaAAAAAAcCeeeeEEEEiiiiIIIInNoooooOOOOOuuuuUUUUyyYY"

CREATE = f"""
CREATE OR REPLACE FUNCTION npt_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(
        replace(replace(replace(replace(value, 'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'),
        '{ACCENTED}',
        '{PLAIN}'
    )
$$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP FUNCTION IF EXISTS npt_unaccent(text);"),
    ]
