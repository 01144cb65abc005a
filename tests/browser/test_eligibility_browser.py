import datetime

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_sees_why_a_nomination_cannot_go_and_the_secretariat_sets_a_rule_aside(
    open_as, live_demo, demo_user
):
    from approvals.models import Nomination, PendingCase, RuleOverride
    from tests.approvals.dossier_helpers import complete_dossier
    from tests.approvals.nomination_helpers import nominate, people_of
    from tests.approvals.tracking_helpers import advance

    # a draft for a soldier under a disciplinary case, with its dossier complete
    soldier = people_of("f3")[16]
    PendingCase.objects.create(
        person=soldier,
        kind="discipline",
        reference="21/KL-F3",
        opened_on=datetime.date(2026, 10, 2),
    )
    draft = nominate(demo_user, person=soldier, award="cstdcs")
    complete_dossier(draft, demo_user("canbo.f3"))

    officer = open_as("canbo.f3")
    officer.goto(f"{live_demo.url}/nominations/{draft.pk}/")
    panel = officer.locator("#eligibility")
    assert "21/KL-F3" in panel.inner_text()
    assert panel.locator("tr.outcome-failed").count() == 3  # case, same year, initiative
    screenshot(officer, "eligibility-panel")
    officer.click("button[data-action=act]")
    assert "21/KL-F3" in officer.locator("#act .error").inner_text()
    draft.refresh_from_db()
    assert draft.status == "draft"  # nothing was sent

    # at the appraisal, a case opened after submission; the secretariat sets it aside
    submitted = advance(
        nominate(demo_user, person=people_of("f3")[17], award="bk-bqp"), "appraisal"
    )
    PendingCase.objects.create(
        person=submitted.person,
        kind="complaint",
        reference="KN-88",
        opened_on=datetime.date(2026, 11, 2),
    )
    secretariat = open_as("tth.canbo")
    secretariat.goto(f"{live_demo.url}/nominations/{submitted.pk}/")
    failed = secretariat.locator("#eligibility tr.outcome-failed")
    assert "KN-88" in failed.inner_text()
    failed.locator("textarea[name=reason]").fill("Khiếu nại đã được rút ngày 20/11/2026.")
    failed.locator("button[data-action=override]").click()
    assert secretariat.locator("#eligibility tr.outcome-overridden").count() == 1
    assert "Khiếu nại đã được rút" in secretariat.locator("body").inner_text()
    screenshot(secretariat, "eligibility-override")
    assert RuleOverride.objects.filter(nomination=submitted).count() == 1
    assert Nomination.objects.get(pk=submitted.pk).current_stage.kind == "appraisal"
