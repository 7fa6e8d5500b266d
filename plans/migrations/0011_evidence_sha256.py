import hashlib

from django.db import migrations, models


def fingerprint_existing_files(apps, schema_editor):
    """The SHA-256 of every stored file whose size still matches the upload's. A file that
    is missing or of another size gets none: it is reported as damaged, not certified."""
    EvidenceFile = apps.get_model("plans", "EvidenceFile")
    storage = EvidenceFile._meta.get_field("file").storage
    rows = EvidenceFile.objects.filter(sha256="").values_list("pk", "file", "size")
    for pk, name, recorded_size in rows.iterator(chunk_size=2000):
        digest, size = hashlib.sha256(), 0
        try:
            with storage.open(name, "rb") as stored:
                while chunk := stored.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
        except OSError:
            continue
        if size == recorded_size:
            EvidenceFile.objects.filter(pk=pk).update(sha256=digest.hexdigest())


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0010_agency_life_span_and_reorganisations"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidencefile",
            name="sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="mã SHA-256"),
        ),
        migrations.RunPython(fingerprint_existing_files, migrations.RunPython.noop, elidable=True),
    ]
