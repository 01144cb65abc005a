"""Issuing decisions in tests, through the service, with a header a real decision would carry."""

import datetime
import itertools

from approvals.selectors.nominations import acting_users
from approvals.services.decisions import DecisionHeader, decision_issue

_numbers = itertools.count(1)
SIGNED_ON = datetime.date(2026, 11, 20)


def header(**overrides) -> DecisionHeader:
    values = {
        "number": f"{next(_numbers)}/QĐ-BQP",
        "signed_on": SIGNED_ON,
        "signer_name": "Trịnh Đình Hùng",
        "signer_title": "Bộ trưởng",
        "issuer_title": "Bộ trưởng Bộ Quốc phòng",
        "title": "Về việc tặng Bằng khen",
        "grounds": "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    }
    values.update(overrides)
    return DecisionHeader(**values)


def decide(demo_user, nominations, *, by: str | None = None, **overrides):
    """Issue one decision awarding the nominations (all at the same authority's decision stage).

    `by` defaults to whoever may act at the first nomination's decision stage; the number
    takes the authority's abbreviation. Returns the decision.
    """
    nominations = list(nominations)
    first = nominations[0]
    actor = demo_user(by) if by else acting_users(first).first()
    authority = first.acting_unit
    overrides.setdefault("number", f"{next(_numbers)}/QĐ-{authority.code.upper()}")
    return decision_issue(
        actor=actor, authority=authority, nominations=nominations, header=header(**overrides)
    )
