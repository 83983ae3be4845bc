"""Factories that keep tenants consistent: an entity always comes with its chart and books."""

import factory
from factory.django import DjangoModelFactory

from axiomatic.entities.models import Entity, EntityType, Membership, PartnerEnrollment, Role, User
from axiomatic.ledger.services import entity_books_seed


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class EntityFactory(DjangoModelFactory):
    class Meta:
        model = Entity
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Entity {n} LLC")
    type = EntityType.LLC
    industry = "Services"

    @factory.post_generation
    def books(obj, create, extracted, **kwargs):
        if create:
            entity_books_seed(entity=obj)


class FirmFactory(EntityFactory):
    name = factory.Sequence(lambda n: f"Firm {n} CPA")
    industry = "Accounting"
    enrollment = factory.RelatedFactory(
        "tests.factories.PartnerEnrollmentFactory", factory_related_name="firm"
    )


class PartnerEnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = PartnerEnrollment

    firm = factory.SubFactory(FirmFactory, enrollment=None)
    status = "active"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    entity = factory.SubFactory(EntityFactory)
    role = Role.ADMIN
