"""Digits that are not ASCII ("³", "²") pass str.isdigit() but not int(): pages that read a
number from the request answer with a page or a message, never a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "method", "url_name", "data"),
    [
        ("hd.thuky", "get", "session_create", {"council": "³"}),
        ("tth.canbo", "get", "registry_list", {"year": "²"}),
        ("canbo.f3", "post", "nomination_import", {"unit": "³", "action": "check"}),
    ],
)
def test_a_superscript_digit_is_not_a_server_error(client_for, username, method, url_name, data):
    client = client_for(username)
    response = getattr(client, method)(reverse(url_name), data)
    assert response.status_code < 500
