import datetime

import pytest
from django.utils import formats, translation


def test_dates_and_numbers_render_in_vietnamese_format():
    with translation.override("vi"):
        assert formats.date_format(datetime.date(2026, 11, 25)) == "ngày 25 tháng 11 năm 2026"
        assert formats.date_format(datetime.date(2026, 3, 5), "SHORT_DATE_FORMAT") == "05/03/2026"
        assert (
            formats.number_format(1234567.5, decimal_pos=1, use_l10n=True, force_grouping=True)
            == "1.234.567,5"
        )


def test_vietnamese_dates_are_accepted_in_forms():
    from django import forms

    with translation.override("vi"):
        assert forms.DateField().clean("25/11/2026") == datetime.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("vietnamese", "english"),
    [
        ("Đơn vị", "Unit"),
        ("Đăng nhập", "Sign in"),
        ("Hội đồng TĐKT", "Awards Council"),
    ],
)
def test_english_catalogue_is_compiled_and_used(vietnamese, english):
    with translation.override("en"):
        assert translation.gettext(vietnamese) == english


def test_ids_and_years_are_not_grouped_but_quantities_are():
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("vi"):
        html = Template("{% load humanize %}{{ year }} {{ pk }} {{ strength|intcomma }}").render(
            Context({"year": 2026, "pk": 1295, "strength": 12500})
        )
    assert html == "2026 1295 12.500"
