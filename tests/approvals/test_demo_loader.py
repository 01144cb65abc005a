import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from approvals.demo import data
from approvals.demo.loader import load_demo
from approvals.models import (
    Award,
    BlocLeadership,
    EmulationBloc,
    Person,
    RoleAssignment,
    Unit,
    UnitUserObjectPermission,
)

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    models = list(apps.get_app_config("approvals").get_models())
    models += [get_user_model(), apps.get_model("auth", "Group")]
    return {model._meta.label: model.objects.count() for model in models}


def test_loading_the_demo_twice_creates_nothing_twice():
    before = _row_counts()  # the session already loaded it once
    load_demo()
    assert _row_counts() == before


def test_demo_has_bloc_2_as_in_the_seed_article():
    bloc = EmulationBloc.objects.get(code="khoi-2")
    members = {unit.short_name for unit in bloc.members_in(2024)}
    assert members == {
        "Quân khu 1",
        "Quân khu 2",
        "Quân khu 3",
        "Quân khu 4",
        "Quân khu 5",
        "Quân khu 7",
        "Quân khu 9",
        "Bộ Tư lệnh Thủ đô Hà Nội",
    }
    assert bloc.leadership_in(2024).leader.code == "qk1"
    assert bloc.leadership_in(2026).leader.code == "qk3"
    assert BlocLeadership.objects.filter(bloc=bloc).count() == 2


def test_demo_has_a_few_hundred_people_and_every_level():
    assert 300 <= Person.objects.count() <= 1000
    levels = set(Unit.objects.values_list("level", flat=True))
    assert levels == {"ministry", "direct", "division", "regiment", "grassroots"}


def test_demo_catalogue_holds_every_award_of_the_brief():
    assert set(Award.objects.values_list("code", flat=True)) == {row[0] for row in data.AWARDS}
    army_soldier = Award.objects.get(code="cstdtq").versions.get()
    assert army_soldier.required_agree_votes(17) == 16
    assert army_soldier.rules.filter(kind="consecutive_prior", params__years=3).exists()


def test_every_demo_user_holds_the_roles_listed_and_no_model_wide_grant():
    for username, *_rest, roles in data.DEMO_USERS:
        held = set(
            RoleAssignment.objects.filter(user__username=username).values_list("role", flat=True)
        )
        assert held == {role for role, _kind, _code in roles}, username
    # scoped permissions live only on objects, never as global user permissions
    scoped = {
        "prepare_nomination",
        "approve_nomination",
        "act_secretariat",
        "decide_award",
        "view_unit_records",
        "vote_in_council",
        "chair_council",
        "act_for_bloc",
    }
    for user in get_user_model().objects.all():
        assert not scoped & {perm.split(".")[1] for perm in user.get_user_permissions()}
    assert UnitUserObjectPermission.objects.filter(user__username="canbo.f3").count() == 2
