import datetime

import factory
from django.contrib.auth import get_user_model

from approvals.models import AwardsCouncil, CouncilMembership, Person, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"test-unit-{n}")
    short_name = factory.Sequence(lambda n: f"Đơn vị thử {n}")
    name = factory.LazyAttribute(lambda unit: f"{unit.short_name} (đầy đủ)")
    level = "regiment"
    strength = 500


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    service_number = factory.Sequence(lambda n: f"T-{n:06d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    category = "officer"
    rank = "dai_uy"
    unit = factory.SubFactory(UnitFactory)
    gender = "male"
    birth_date = datetime.date(1990, 1, 1)
    enlistment_date = datetime.date(2008, 9, 1)


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardsCouncil

    unit = factory.SubFactory(UnitFactory)
    name = factory.LazyAttribute(lambda council: f"Hội đồng TĐKT {council.unit.short_name}")


class CouncilMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMembership

    council = factory.SubFactory(CouncilFactory)
    person = factory.SubFactory(PersonFactory)
    role = "member"
    start_date = datetime.date(2024, 1, 1)
