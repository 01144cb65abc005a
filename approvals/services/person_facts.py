"""Recording the facts eligibility rules read: initiatives, breaks in service, pending cases.

Entered by those who prepare the unit's nominations, its commanders and the secretariat
(`permissions.may_enter_facts`); each change writes one audit event.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Initiative, PendingCase, Person, ServiceBreak, Unit
from approvals.models.eligibility import BreakKind, CaseKind, InitiativeLevel
from approvals.permissions import may_enter_facts
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _authorise(actor, unit: Unit) -> None:
    if not may_enter_facts(scope_for(actor), unit):
        raise PermissionDenied(_("Bạn không có quyền cập nhật thông tin của đơn vị này."))


def _not_after_today(field: str, day: datetime.date, errors: dict) -> None:
    if day > timezone.localdate():
        errors[field] = _("Ngày %(day)s ở sau hôm nay; hãy nhập ngày đã xảy ra.") % {
            "day": _date(day)
        }


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def initiative_add(
    *,
    actor,
    person: Person,
    title: str,
    level: int,
    recognised_on: datetime.date,
    reference: str = "",
) -> Initiative:
    """Record an initiative recognised for a person.

    Side effects: inserts one Initiative; writes one audit event.
    """
    _authorise(actor, person.unit)
    errors = {}
    title, reference = title.strip(), reference.strip()
    if not title:
        errors["title"] = _("Hãy nhập tên sáng kiến, đề tài.")
    if level not in InitiativeLevel.values:
        errors["level"] = _("Hãy chọn phạm vi công nhận.")
    _not_after_today("recognised_on", recognised_on, errors)
    _raise(errors)
    initiative = Initiative.objects.create(
        person=person,
        title=title,
        level=level,
        recognised_on=recognised_on,
        reference=reference,
    )
    audit_record(
        actor=actor,
        verb="initiative.add",
        obj=initiative,
        data={"person": person.pk, "level": level, "recognised_on": recognised_on.isoformat()},
    )
    return initiative


@transaction.atomic
def service_break_add(
    *,
    actor,
    person: Person,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    note: str = "",
) -> ServiceBreak:
    """Record a break in a person's service (maternity leave, unpaid leave, discharge).

    Side effects: locks the person's row so that two overlapping breaks cannot both be
    recorded; inserts one ServiceBreak; writes one audit event.
    """
    _authorise(actor, person.unit)
    errors = {}
    if kind not in BreakKind.values:
        errors["kind"] = _("Hãy chọn loại nghỉ, gián đoạn.")
    if end < start:
        errors["end"] = _("Ngày kết thúc (%(end)s) ở trước ngày bắt đầu (%(start)s).") % {
            "end": _date(end),
            "start": _date(start),
        }
    _raise(errors)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = (
        ServiceBreak.objects.filter(person=person, start__lte=end, end__gte=start)
        .order_by("start")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "start": _(
                    "Trùng với thời gian đã ghi: %(kind)s từ %(start)s đến %(end)s. Mỗi ngày "
                    "chỉ thuộc một lần nghỉ, gián đoạn."
                )
                % {
                    "kind": overlapping.get_kind_display(),
                    "start": _date(overlapping.start),
                    "end": _date(overlapping.end),
                }
            }
        )
    service_break = ServiceBreak.objects.create(
        person=person, kind=kind, start=start, end=end, note=note.strip()
    )
    audit_record(
        actor=actor,
        verb="service_break.add",
        obj=service_break,
        data={
            "person": person.pk,
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    return service_break


@transaction.atomic
def pending_case_open(
    *,
    actor,
    person: Person | None = None,
    unit: Unit | None = None,
    kind: str,
    reference: str,
    opened_on: datetime.date,
    note: str = "",
) -> PendingCase:
    """Record a case (discipline, inspection, complaint) pending about a person or a unit.

    Side effects: inserts one PendingCase; writes one audit event.
    """
    if (person is None) == (unit is None):
        raise ValueError("a pending case is about either a person or a unit")
    _authorise(actor, person.unit if person else unit)
    errors = {}
    reference = reference.strip()
    if kind not in CaseKind.values:
        errors["kind"] = _("Hãy chọn loại vụ việc.")
    if not reference:
        errors["reference"] = _("Hãy nhập số, ký hiệu văn bản của vụ việc.")
    _not_after_today("opened_on", opened_on, errors)
    _raise(errors)
    case = PendingCase.objects.create(
        person=person,
        unit=unit,
        kind=kind,
        reference=reference,
        opened_on=opened_on,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        verb="pending_case.open",
        obj=case,
        data={
            "person": person.pk if person else None,
            "unit": unit.pk if unit else None,
            "kind": kind,
            "opened_on": opened_on.isoformat(),
        },
    )
    return case


@transaction.atomic
def pending_case_close(*, actor, case: PendingCase, closed_on: datetime.date) -> PendingCase:
    """Record the day a case was concluded; from then on it no longer holds back awards.

    Side effects: locks and updates the case's closed_on; writes one audit event.
    """
    case = (
        # the subject's joins are outer joins, which PostgreSQL will not lock: lock the case only
        PendingCase.objects.select_for_update(of=("self",))
        .select_related("person__unit", "unit")
        .get(pk=case.pk)
    )
    _authorise(actor, case.person.unit if case.person else case.unit)
    if case.closed_on is not None:
        raise ValidationError(
            {
                "case": _("Vụ việc %(case)s đã kết thúc ngày %(day)s.")
                % {"case": case.reference, "day": _date(case.closed_on)}
            }
        )
    errors = {}
    if closed_on < case.opened_on:
        errors["closed_on"] = _(
            "Ngày kết thúc (%(closed)s) ở trước ngày bắt đầu vụ việc (%(opened)s)."
        ) % {"closed": _date(closed_on), "opened": _date(case.opened_on)}
    else:
        _not_after_today("closed_on", closed_on, errors)
    _raise(errors)
    case.closed_on = closed_on
    case.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        verb="pending_case.close",
        obj=case,
        data={"closed_on": closed_on.isoformat()},
    )
    return case
