import pytest

from approvals.models import Unit
from tests.factories.organisation import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """root → a → a1 → a1x, root → b."""
    root = UnitFactory(level="direct")
    a = UnitFactory(parent=root, level="division")
    a1 = UnitFactory(parent=a)
    a1x = UnitFactory(parent=a1, level="grassroots")
    b = UnitFactory(parent=root, level="division")
    return {"root": root, "a": a, "a1": a1, "a1x": a1x, "b": b}


def test_subtree_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = {unit.code for unit in tree["a"].subtree()}
    assert codes == {tree["a"].code, tree["a1"].code, tree["a1x"].code}


def test_subtree_without_self_excludes_the_unit(tree):
    assert set(tree["a"].subtree(include_self=False)) == {tree["a1"], tree["a1x"]}


def test_ancestors_are_one_query_in_order(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = list(tree["a1x"].ancestors())
    assert chain == [tree["root"], tree["a"], tree["a1"]]


def test_demo_ministry_subtree_query_count_does_not_grow_with_depth(django_assert_num_queries):
    grassroots = Unit.objects.filter(level="grassroots").first()
    with django_assert_num_queries(1):
        ancestors = list(grassroots.ancestors(include_self=True))
    assert [unit.level for unit in ancestors] == [
        "ministry",
        "direct",
        "division",
        "regiment",
        "grassroots",
    ]
    ministry, total = ancestors[0], Unit.objects.count()
    with django_assert_num_queries(1):
        assert len(list(ministry.subtree())) == total


def test_moving_a_unit_moves_its_whole_subtree(tree):
    a1 = tree["a1"]
    a1.parent = tree["b"]
    a1.save()
    tree["a1x"].refresh_from_db()
    assert tree["a1x"].is_within(tree["b"])
    assert not tree["a1x"].is_within(tree["a"])
    assert tree["a1x"].depth == 3
    assert set(tree["b"].subtree()) == {tree["b"], a1, tree["a1x"]}


def test_a_unit_cannot_move_under_its_own_subtree(tree):
    a = tree["a"]
    a.parent = tree["a1x"]
    with pytest.raises(ValueError):
        a.save()
    a.refresh_from_db()
    assert a.parent == tree["root"]


def test_admin_refuses_to_move_a_unit_under_its_own_subtree(client_for, tree):
    from django.urls import reverse

    a = tree["a"]
    response = client_for("quantri").post(
        reverse("admin:approvals_unit_change", args=[a.pk]),
        {
            "code": a.code,
            "short_name": a.short_name,
            "name": a.name,
            "level": a.level,
            "parent": tree["a1x"].pk,
            "strength": 10,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Không thể chuyển đơn vị vào dưới chính nó." in response.content.decode()
    a.refresh_from_db()
    assert a.parent == tree["root"]
