"""Load the demo organisation, catalogue, campaigns and users; running it twice adds nothing."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from approvals.demo import data
from approvals.models import (
    Award,
    AwardRule,
    AwardsCouncil,
    AwardVersion,
    BlocLeadership,
    BlocMembership,
    Campaign,
    CouncilMembership,
    DocumentRequirement,
    DocumentType,
    EmulationBloc,
    EmulationRegistration,
    Initiative,
    PendingCase,
    Person,
    ServiceBreak,
    Unit,
)
from approvals.models.councils import CouncilKind
from approvals.models.people import PersonCategory, Rank, fold_vietnamese
from approvals.services.roles import role_grant

D = datetime.date
RANKS_BY_LEVEL = {
    "direct": [Rank.MAJOR, Rank.LT_COLONEL, Rank.SENIOR_LT_COLONEL, Rank.COLONEL],
    "division": [Rank.CAPTAIN, Rank.MAJOR, Rank.LT_COLONEL, Rank.SENIOR_LT_COLONEL],
    "regiment": [Rank.SENIOR_LT, Rank.CAPTAIN, Rank.MAJOR, Rank.STAFF_SERGEANT],
    "grassroots": [Rank.PRIVATE_1, Rank.CORPORAL, Rank.SERGEANT, Rank.LT, Rank.SENIOR_LT],
}


class _Units:
    """Creates or updates units by code, keeping one dictionary of what exists."""

    def __init__(self) -> None:
        self.by_code = {unit.code: unit for unit in Unit.objects.all()}
        self.order = 0

    def put(self, code, short_name, name, level, parent=None, strength=0, subunits=False):
        self.order += 1
        wanted = {
            "short_name": short_name,
            "name": name,
            "level": level,
            "parent": parent,
            "strength": strength,
            "nominations_include_subunits": subunits,
            "sort_order": self.order,
        }
        unit = self.by_code.get(code)
        if unit is None:
            unit = Unit.objects.create(code=code, **wanted)
            self.by_code[code] = unit
        elif any(getattr(unit, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(unit, key, value)
            unit.save()
        return unit


def _load_units() -> dict[str, Unit]:
    units = _Units()
    code, short, name, level, strength, subunits = data.MINISTRY
    ministry = units.put(code, short, name, level, None, strength, subunits)
    for code, short, name, strength in data.MINISTRY_BODIES:
        units.put(code, short, name, "direct", ministry, strength, True)
    code, short, name, parent, strength = data.SECRETARIAT
    units.put(code, short, name, "division", units.by_code[parent], strength, False)
    regiment_number = 1
    for code, short, name, strength, divisions, provinces in data.REGIONS:
        region = units.put(code, short, name, "direct", ministry, strength, True)
        for div_code, div_name in divisions:
            division = units.put(
                div_code, div_name, f"{div_name}, {short}", "division", region, strength // 6, True
            )
            for _ in range(data.REGIMENTS_PER_DIVISION):
                reg_code = f"{div_code}-e{regiment_number}"
                regiment = units.put(
                    reg_code,
                    f"Trung đoàn {regiment_number}",
                    f"Trung đoàn {regiment_number}, {div_name}",
                    "regiment",
                    division,
                    1500,
                )
                units.put(
                    f"{reg_code}-d1",
                    "Tiểu đoàn 1",
                    f"Tiểu đoàn 1, Trung đoàn {regiment_number}",
                    "grassroots",
                    regiment,
                    400,
                )
                regiment_number += 1
        for prov_code, prov_name in provinces:
            units.put(
                f"{code}-{prov_code}",
                f"BCHQS {prov_name}",
                f"Bộ Chỉ huy quân sự {prov_name}, {short}",
                "division",
                region,
                2500,
                True,
            )
    return units.by_code


def _fictional_person(rng: random.Random, service_number: str, unit: Unit, position: str):
    female = rng.random() < 0.18
    middle = rng.choice(data.FEMALE_MIDDLE if female else data.MALE_MIDDLE)
    given = rng.choice(data.FEMALE_GIVEN if female else data.MALE_GIVEN)
    rank = rng.choice(RANKS_BY_LEVEL.get(unit.level, RANKS_BY_LEVEL["direct"]))
    if rank in (Rank.PRIVATE_1, Rank.CORPORAL, Rank.SERGEANT):
        category, age = PersonCategory.SOLDIER, rng.randint(19, 23)
    elif rank == Rank.STAFF_SERGEANT or rng.random() < 0.1:
        category, age = PersonCategory.PROFESSIONAL, rng.randint(26, 45)
    else:
        category, age = PersonCategory.OFFICER, rng.randint(24, 52)
    birth = D(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
    enlisted = D(birth.year + rng.randint(18, 20), rng.choice([2, 3, 9]), rng.randint(1, 28))
    return Person(
        service_number=service_number,
        full_name=f"{rng.choice(data.SURNAMES)} {middle} {given}",
        category=category,
        rank=rank,
        position=position,
        unit=unit,
        gender="female" if female else "male",
        birth_date=birth,
        enlistment_date=enlisted,
    )


def _load_people(units: dict[str, Unit]) -> None:
    existing = set(Person.objects.values_list("service_number", flat=True))
    new = []
    for code, unit in units.items():
        count = data.PEOPLE_PER_UNIT.get(unit.level, 0)
        rng = random.Random(f"demo-people-{code}")
        positions = data.POSITIONS.get(unit.level, ["Trợ lý"])
        for index in range(count):
            person = _fictional_person(
                rng, f"QN-{code}-{index + 1:02d}", unit, positions[index % len(positions)]
            )
            if person.service_number not in existing:
                person.search_name = fold_vietnamese(person.full_name)  # save() is bypassed
                new.append(person)
    Person.objects.bulk_create(new, batch_size=500)


def _load_catalogue() -> None:
    documents = {}
    for code, name in data.DOCUMENT_TYPES:
        documents[code], _ = DocumentType.objects.update_or_create(
            code=code, defaults={"name": name}
        )
    for order, row in enumerate(data.AWARDS):
        (code, name, name_en, kind, subject, level, threshold, rule, posting, extra_docs, rules) = (
            row
        )
        award, _ = Award.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "subject": subject,
                "sort_order": order,
            },
        )
        periods = [(D(2024, 1, 1), None, data.LAW)]
        if code in data.OLD_VERSIONS:
            periods.insert(0, data.OLD_VERSIONS[code])
        for start, end, basis in periods:
            version, created = AwardVersion.objects.get_or_create(
                award=award,
                effective_from=start,
                defaults={
                    "effective_to": end,
                    "legal_basis": basis,
                    "deciding_level": level,
                    "vote_threshold_percent": threshold,
                    "threshold_rule": rule,
                    "requires_public_posting": posting > 0,
                    "public_posting_working_days": posting,
                },
            )
            if created:
                DocumentRequirement.objects.bulk_create(
                    DocumentRequirement(
                        version=version,
                        document_type=documents[doc],
                        stage_kind=data.DOCUMENT_STAGE.get(doc, "prepare"),
                    )
                    for doc in data.BASIC_DOSSIER + extra_docs
                )
                AwardRule.objects.bulk_create(
                    AwardRule(version=version, kind=kind_, params=params, description=text)
                    for kind_, params, text in rules + data.COMMON_EXCLUSIONS
                )


def _load_campaigns() -> None:
    for code, name, kind, year, start, end, deadline, meeting, is_open in data.CAMPAIGNS:
        Campaign.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "year": year,
                "start_date": start,
                "end_date": end,
                "submission_deadline": deadline,
                "council_meeting_date": meeting,
                "is_open": is_open,
            },
        )


def _load_bloc(units: dict[str, Unit]) -> EmulationBloc:
    spec = data.BLOC_2
    bloc, _ = EmulationBloc.objects.update_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "organiser": units["bqp"],
            "established_by": spec["established_by"],
        },
    )
    for code in spec["members"]:
        BlocMembership.objects.get_or_create(
            bloc=bloc, unit=units[code], start_year=spec["start_year"]
        )
        for year in (2024, 2026):
            EmulationRegistration.objects.get_or_create(
                bloc=bloc,
                year=year,
                unit=units[code],
                defaults={
                    "registered_on": spec["pledge_signed_on"] if year == 2024 else D(year, 1, 20),
                    "targets": "Đơn vị Quyết thắng; Cờ thi đua của Bộ Quốc phòng",
                    "pledge_signed_on": spec["pledge_signed_on"] if year == 2024 else D(year, 2, 5),
                },
            )
    for year, (leader, deputy, handed_over) in spec["leaderships"].items():
        BlocLeadership.objects.update_or_create(
            bloc=bloc,
            year=year,
            defaults={
                "leader": units[leader],
                "deputy": units[deputy],
                "flag_handed_over_on": handed_over,
            },
        )
    return bloc


def _council_for(unit: Unit, units: dict[str, Unit]) -> AwardsCouncil:
    council, _ = AwardsCouncil.objects.get_or_create(
        unit=unit,
        defaults={
            "kind": CouncilKind.COUNCIL,
            "name": f"Hội đồng Thi đua - Khen thưởng {unit.short_name}",
            "secretariat": units["cth"] if unit.code == "bqp" else None,
            "allows_second_round": unit.code == "bqp",
        },
    )
    return council


def _seat(council, person, role, start, end=None) -> None:
    CouncilMembership.objects.get_or_create(
        council=council,
        person=person,
        role=role,
        start_date=start,
        defaults={"end_date": end, "appointed_by": "Quyết định kiện toàn Hội đồng TĐKT"},
    )


def _load_councils(units: dict[str, Unit], demo_people: dict[str, Person]) -> None:
    seat_units = (
        [units["bqp"]]
        + [units[region[0]] for region in data.REGIONS]
        + [units[div_code] for region in data.REGIONS for div_code, _n in region[4]]
    )
    sizes = {"ministry": data.MINISTRY_COUNCIL_SIZE, "direct": data.REGION_COUNCIL_SIZE}
    for unit in seat_units:
        council = _council_for(unit, units)
        demo_seats = [
            (demo_people[username], role)
            for username, (code, role) in data.DEMO_COUNCIL_SEATS.items()
            if code == unit.code
        ]
        size = sizes.get(unit.level, data.DIVISION_COUNCIL_SIZE)
        roles = ["chair", "standing_vice_chair", "vice_chair", "secretary"]
        taken = {role for _p, role in demo_seats}
        free_roles = [role for role in roles if role not in taken]
        rng = random.Random(f"demo-council-{unit.code}")
        generated = []
        for index in range(size - len(demo_seats)):
            role = free_roles[index] if index < len(free_roles) else "member"
            generated.append(
                (
                    _person_by_number(
                        rng, f"HD-{unit.code}-{index + 1:02d}", unit, "Ủy viên Hội đồng TĐKT"
                    ),
                    role,
                )
            )
        for person, role in demo_seats + generated[:-1]:
            _seat(council, person, role, data.COUNCIL_TERM_START)
        # the last seat changed hands mid-2025, so the past roster differs from today's
        last_person, last_role = generated[-1]
        before = _person_by_number(rng, f"HD-{unit.code}-cu", unit, "Ủy viên Hội đồng TĐKT")
        _seat(
            council,
            before,
            last_role,
            data.COUNCIL_TERM_START,
            data.COUNCIL_SEAT_CHANGE - datetime.timedelta(days=1),
        )
        _seat(council, last_person, last_role, data.COUNCIL_SEAT_CHANGE)


def _person_by_number(rng, service_number: str, unit: Unit, position: str) -> Person:
    person = Person.objects.filter(service_number=service_number).first()
    if person is None:
        person = _fictional_person(rng, service_number, unit, position)
        person.save()
    return person


def _load_users(units: dict[str, Unit], bloc: EmulationBloc) -> dict[str, Person]:
    User = get_user_model()
    people = {}
    councils = {
        council.unit.code: council for council in AwardsCouncil.objects.select_related("unit")
    }
    for username, full_name, gender, unit_code, position, roles in data.DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": full_name, "email": f"{username}@demo.tdkt.local"},
        )
        if created:
            user.set_password(data.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        person, _ = Person.objects.get_or_create(
            service_number=f"DEMO-{username}",
            defaults={
                "full_name": full_name,
                "gender": gender,
                "unit": units[unit_code],
                "position": position,
                "category": PersonCategory.OFFICER,
                "rank": Rank.COLONEL
                if unit_code in ("bqp", "tcct", "bttm", "cth")
                else Rank.LT_COLONEL,
                "birth_date": D(1975, 5, 19),
                "enlistment_date": D(1993, 9, 1),
                "user": user,
            },
        )
        people[username] = person
        for role, scope_kind, scope_code in roles:
            role_grant(
                actor=None,
                user=user,
                role=role,
                unit=units[scope_code] if scope_kind == "unit" else None,
                bloc=bloc if scope_kind == "bloc" else None,
                council=councils[scope_code] if scope_kind == "council" else None,
            )
    return people


@transaction.atomic
def _load_eligibility_facts(units: dict[str, Unit]) -> None:
    """A few facts the eligibility rules read, in Sư đoàn 3: recognised initiatives, a
    maternity leave, and a pending disciplinary case (on the division's last person, whom the
    demo walk-through does not nominate)."""
    people = list(Person.objects.filter(unit__path__startswith=units["f3"].path).order_by("pk"))
    for person, (title, level) in zip(people, data.DEMO_INITIATIVES, strict=False):
        Initiative.objects.get_or_create(
            person=person,
            title=title,
            defaults={"level": level, "recognised_on": D(2026, 5, 15), "reference": "SK-2026"},
        )
    mother = next((p for p in people if p.gender == "female"), None)
    if mother is not None:
        ServiceBreak.objects.get_or_create(
            person=mother, kind="maternity", start=D(2020, 3, 1), defaults={"end": D(2020, 8, 31)}
        )
    PendingCase.objects.get_or_create(
        person=people[-1],
        reference="12/QĐ-KL",
        defaults={"kind": "discipline", "opened_on": D(2026, 10, 5)},
    )


def load_demo() -> dict[str, int]:
    """Create or complete the demo data set; returns row counts."""
    units = _load_units()
    _load_people(units)
    _load_catalogue()
    _load_campaigns()
    bloc = _load_bloc(units)
    _council_for(units["bqp"], units)  # the demo council roles are held on it
    demo_people = _load_users(units, bloc)
    _load_councils(units, demo_people)
    _load_eligibility_facts(units)
    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "councils": AwardsCouncil.objects.count(),
        "council_memberships": CouncilMembership.objects.count(),
        "awards": Award.objects.count(),
        "campaigns": Campaign.objects.count(),
        "users": get_user_model().objects.count(),
    }
