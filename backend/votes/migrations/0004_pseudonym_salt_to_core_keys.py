"""Each closed vote's pseudonym salt becomes the stored key of its ballot-file family
(backend.core.pseudonyms.ballot_scope), with the same value: published files are unchanged."""

from django.db import migrations


def salts_to_keys(apps, schema_editor):
    Vote = apps.get_model("votes", "Vote")
    PseudonymKey = apps.get_model("core", "PseudonymKey")
    keys = [
        PseudonymKey(scope=f"vote:{vote_id}:ballots", key=salt)
        for vote_id, salt in Vote.objects.exclude(pseudonym_salt="").values_list(
            "id", "pseudonym_salt"
        )
    ]
    PseudonymKey.objects.bulk_create(keys, ignore_conflicts=True)


def keys_to_salts(apps, schema_editor):
    Vote = apps.get_model("votes", "Vote")
    PseudonymKey = apps.get_model("core", "PseudonymKey")
    for vote in Vote.objects.all():
        key = PseudonymKey.objects.filter(scope=f"vote:{vote.pk}:ballots").first()
        if key is not None:
            Vote.objects.filter(pk=vote.pk).update(pseudonym_salt=key.key)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_pseudonym_keys"),
        ("votes", "0003_live_counts"),
    ]

    operations = [
        migrations.RunPython(salts_to_keys, keys_to_salts),
        migrations.RemoveField(model_name="vote", name="pseudonym_salt"),
    ]
