"""The partner program's published prices: client tiers and partner tiers (editable in the admin)."""

from django.db import migrations

CLIENT_TIERS = (("STARTER", 7_900), ("PROFESSIONAL", 14_900), ("BUSINESS", 29_900))
PARTNER_TIERS = (("REGISTERED", 0, 0), ("SILVER", 10, 10), ("GOLD", 25, 15), ("PLATINUM", 50, 20))


def seed(apps, schema_editor):
    ClientTierPrice = apps.get_model("billing", "ClientTierPrice")
    PartnerTier = apps.get_model("billing", "PartnerTier")
    for tier, cents in CLIENT_TIERS:
        ClientTierPrice.objects.get_or_create(tier=tier, defaults={"monthly_cents": cents})
    for name, minimum, percent in PARTNER_TIERS:
        PartnerTier.objects.get_or_create(
            name=name, defaults={"min_clients": minimum, "discount_percent": percent}
        )


def unseed(apps, schema_editor):
    apps.get_model("billing", "ClientTierPrice").objects.all().delete()
    apps.get_model("billing", "PartnerTier").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
