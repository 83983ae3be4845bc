"""Payment terms become a practice setting (GET/PATCH /api/practice/settings `paymentTermsDays`):
each firm's terms are copied onto its practice FirmProfile before the billing column goes."""

from django.db import migrations


def copy_terms(apps, schema_editor):
    FirmBillingProfile = apps.get_model("billing", "FirmBillingProfile")
    FirmProfile = apps.get_model("practice", "FirmProfile")
    for firm_id, terms in FirmBillingProfile.objects.values_list("firm_id", "payment_terms_days"):
        FirmProfile.objects.update_or_create(
            firm_id=firm_id, defaults={"payment_terms_days": terms}
        )


def copy_back(apps, schema_editor):
    FirmBillingProfile = apps.get_model("billing", "FirmBillingProfile")
    FirmProfile = apps.get_model("practice", "FirmProfile")
    for firm_id, terms in FirmProfile.objects.values_list("firm_id", "payment_terms_days"):
        FirmBillingProfile.objects.filter(firm_id=firm_id).update(payment_terms_days=terms)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0007_invoice_sending"),
        ("practice", "0004_practice_depth"),
    ]

    operations = [
        migrations.RunPython(copy_terms, copy_back),
        migrations.RemoveField(model_name="firmbillingprofile", name="payment_terms_days"),
    ]
