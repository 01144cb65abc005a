"""The organisation of a realistic year for bench.scale_pages: 300 units, 20 emulation blocs.

The demo builds about a hundred units (the Ministry, its two bodies, eight military regions
with two divisions, two provincial commands, four regiments and four battalions each). This
adds, under the same Ministry, what a real year has besides: corps and services with their
divisions, regiments and battalions, academies, the second and third battalion of every demo
regiment, and the blocs and clusters that group them (organised by the Ministry, a region or
a corps). Units and blocs are written in bulk (one INSERT per tree level, then the
materialised paths in one UPDATE), all with codes starting `bs-`, so `clean()` removes
exactly them. The people (bench.scale_data) come after, spread over every unit.

The tree is generated in a fixed order and cut at the size wanted, so the small organisation
is the beginning of the full one: the first corps, then the extra battalions of Sư đoàn 3.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from approvals.models import BlocLeadership, BlocMembership, EmulationBloc, Unit
from approvals.models.blocs import BlocKind

PREFIX = "bs-"
BENCH_UNITS = "bench-"  # units other benches create for themselves: not part of the year
MEMBERS_FROM = 2024  # the blocs' memberships start with the demo's bloc no. 2
# (units in all, blocs in all, people in all) by organisation size
SIZES = {"full": (300, 20, 100_000), "small": (None, 4, 5_000)}
SMALL_EXTRA_UNITS = 40

# corps and services: (code, short name, full name, quân số); their subunits are generated
CORPS = (
    ("qd12", "Quân đoàn 12", "Bộ Tư lệnh Quân đoàn 12 (Binh đoàn Trường Sơn)", 18000),
    ("pkkq", "Quân chủng PK-KQ", "Bộ Tư lệnh Quân chủng Phòng không - Không quân", 26000),
    ("hq", "Quân chủng Hải quân", "Bộ Tư lệnh Quân chủng Hải quân", 27000),
    ("bdbp", "Bộ đội Biên phòng", "Bộ Tư lệnh Bộ đội Biên phòng", 24000),
    ("qd34", "Quân đoàn 34", "Bộ Tư lệnh Quân đoàn 34", 17000),
    ("bd11", "Binh đoàn 11", "Bộ Tư lệnh Binh đoàn 11", 9000),
)
ACADEMIES = (
    ("hvqp", "Học viện Quốc phòng"),
    ("hvlq", "Học viện Lục quân"),
    ("hvct", "Học viện Chính trị"),
    ("hvhc", "Học viện Hậu cần"),
)
DIVISIONS_PER_CORPS, REGIMENTS_PER_DIVISION, BATTALIONS_PER_REGIMENT = 3, 3, 2
# load_demo gives every unit people numbered QN-<code>-NN (20 characters at most)
CODE_LENGTH = 14


@dataclass(frozen=True)
class UnitSpec:
    code: str
    short_name: str
    name: str
    level: str
    parent: str  # the parent's code
    strength: int
    subunits: bool = False


@dataclass(frozen=True)
class Organisation:
    units: int  # in all, after seeding (the benches' own units left out)
    blocs: int
    people: int  # people in all the seed should reach


def organisation_for(scale: str) -> Organisation:
    """The size of the year's organisation: full for `full` (and larger custom runs)."""
    if scale == "small":
        demo = Unit.objects.exclude(Q(code__startswith=PREFIX) | Q(code__startswith=BENCH_UNITS))
        _units, blocs, people = SIZES["small"]
        return Organisation(demo.count() + SMALL_EXTRA_UNITS, blocs, people)
    return Organisation(*SIZES["full"])


def _corps(code: str, short: str, name: str, strength: int):
    corps = f"{PREFIX}{code}"
    yield UnitSpec(corps, short, name, "direct", "bqp", strength, True)
    for d in range(1, DIVISIONS_PER_CORPS + 1):
        division = f"{corps}-f{d}"  # codes stay within 14 characters: see CODE_LENGTH
        div_name = f"Sư đoàn {d}, {short}"
        yield UnitSpec(division, f"Sư đoàn {d}", div_name, "division", corps, strength // 4, True)
        for r in range(1, REGIMENTS_PER_DIVISION + 1):
            regiment = f"{corps}-e{d}{r}"
            reg_name = f"Trung đoàn {r}, {div_name}"
            yield UnitSpec(regiment, f"Trung đoàn {r}", reg_name, "regiment", division, 1500)
            for b in range(1, BATTALIONS_PER_REGIMENT + 1):
                yield UnitSpec(
                    f"{regiment}d{b}",
                    f"Tiểu đoàn {b}",
                    f"Tiểu đoàn {b}, {reg_name}",
                    "grassroots",
                    regiment,
                    400,
                )


def _more_battalions(regiments: list[Unit]):
    """The second and third battalions of each demo regiment (the demo builds the first)."""
    for regiment in regiments:
        for b in (2, 3):
            yield UnitSpec(
                f"{PREFIX}{regiment.code}d{b}",
                f"Tiểu đoàn {b}",
                f"Tiểu đoàn {b}, {regiment.short_name}",
                "grassroots",
                regiment.code,
                400,
            )


def unit_specs(demo_regiments: list[Unit]):
    """Every unit the year may add, parents before children, in the order they are taken."""
    yield from _corps(*CORPS[0])
    yield from _more_battalions(demo_regiments)
    for code, name in ACADEMIES:
        yield UnitSpec(f"{PREFIX}{code}", name, name, "direct", "bqp", 2500, True)
    for corps in CORPS[1:]:  # at 300 units in all, the first four corps are whole
        yield from _corps(*corps)


@transaction.atomic
def _create_units(specs: list[UnitSpec], by_code: dict[str, Unit]) -> int:
    """Insert level by level (a child needs its parent's id), then write the paths."""
    created = []
    order = max((unit.sort_order for unit in by_code.values()), default=0)
    for level in ("direct", "division", "regiment", "grassroots"):
        batch = []
        for spec in specs:
            if spec.level != level:
                continue
            order += 1
            batch.append(
                Unit(
                    code=spec.code,
                    short_name=spec.short_name,
                    name=spec.name,
                    level=spec.level,
                    parent=by_code[spec.parent],
                    strength=spec.strength,
                    nominations_include_subunits=spec.subunits,
                    sort_order=order,
                )
            )
        Unit.objects.bulk_create(batch, batch_size=1000)
        for unit in batch:  # what Unit.save() computes, for rows bulk_create wrote
            parent = by_code[unit.parent.code]
            unit.path = f"{parent.path}{unit.pk}/"
            unit.depth = parent.depth + 1
            by_code[unit.code] = unit
        created += batch
    Unit.objects.bulk_update(created, ["path", "depth"], batch_size=1000)
    return len(created)


def _bloc_specs(by_code: dict[str, Unit]):
    """(code, name, kind, organiser, members): the Ministry's blocs, then the clusters."""
    ministry_bodies = ["tcct", "bttm"] + [f"{PREFIX}{code}" for code, _n in ACADEMIES]
    yield (
        "khoi-1",
        "Khối thi đua số 1 (các cơ quan, học viện trực thuộc Bộ)",
        "bqp",
        ministry_bodies,
    )
    corps = [f"{PREFIX}{code}" for code, *_rest in CORPS]
    yield ("khoi-3", "Khối thi đua số 3 (các quân đoàn, quân chủng, binh đoàn)", "bqp", corps)
    children = {}
    for unit in sorted(by_code.values(), key=lambda unit: unit.path):
        children.setdefault(unit.parent_id, []).append(unit)
    organisers = [by_code[code] for code in ("qk1", "qk2", "qk3", "qk4", "qk5", "qk7", "qk9")]
    organisers += [by_code["btlhn"]] + [by_code[code] for code in corps if code in by_code]
    for organiser in organisers:  # a cluster of each region's or corps' divisions
        yield (
            f"cum-{organiser.code}",
            f"Cụm thi đua các đơn vị cấp sư đoàn, {organiser.short_name}",
            organiser.code,
            [unit.code for unit in children.get(organiser.pk, []) if unit.level == "division"],
        )
    for organiser in organisers:  # then of each division's regiments
        for division in children.get(organiser.pk, []):
            if division.level != "division":
                continue
            yield (
                f"cum-{division.code}",
                f"Cụm thi đua các trung đoàn, {division.name}",
                division.code,
                [unit.code for unit in children.get(division.pk, []) if unit.level == "regiment"],
            )


@transaction.atomic
def _create_blocs(wanted: int, by_code: dict[str, Unit], year: int) -> int:
    blocs, memberships, leaderships = [], [], []
    for code, name, organiser, members in _bloc_specs(by_code):
        members = [by_code[member] for member in members if member in by_code]
        if len(blocs) == wanted:
            break
        if len(members) < 2:
            continue
        kind = BlocKind.BLOC if organiser == "bqp" else BlocKind.CLUSTER
        bloc = EmulationBloc(
            code=f"{PREFIX}{code}",
            name=name,
            kind=kind,
            organiser=by_code[organiser],
            established_by="Quyết định thành lập (make bench, quy mô lớn)",
        )
        blocs.append(bloc)
        memberships += [
            BlocMembership(bloc=bloc, unit=unit, start_year=MEMBERS_FROM) for unit in members
        ]
        leaderships.append(
            BlocLeadership(bloc=bloc, year=year, leader=members[0], deputy=members[1])
        )
    EmulationBloc.objects.bulk_create(blocs)
    BlocMembership.objects.bulk_create(memberships, batch_size=1000)
    BlocLeadership.objects.bulk_create(leaderships)
    return len(blocs)


def ensure(organisation: Organisation, year: int | None = None) -> dict[str, int]:
    """Add the units and blocs missing to reach the organisation's size; returns what it added.

    Idempotent: a second call with the same size adds nothing.
    """
    year = year or datetime.date.today().year
    by_code = {unit.code: unit for unit in Unit.objects.all()}
    counted = [code for code in by_code if not code.startswith(BENCH_UNITS)]
    added = {"units": 0, "blocs": 0}
    missing = organisation.units - len(counted)
    if missing > 0:
        regiments = sorted(
            (
                u
                for c, u in by_code.items()
                if u.level == "regiment"
                and not c.startswith(PREFIX)
                and not c.startswith(BENCH_UNITS)
            ),
            key=lambda unit: unit.sort_order,  # load_demo's order: Sư đoàn 3's first
        )
        specs = [spec for spec in unit_specs(regiments) if spec.code not in by_code][:missing]
        too_long = [spec.code for spec in specs if len(spec.code) > CODE_LENGTH]
        if too_long:
            raise ValueError(f"unit codes over {CODE_LENGTH} characters: {too_long[:3]}")
        added["units"] = _create_units(specs, by_code)
    ours = EmulationBloc.objects.filter(code__startswith=PREFIX).count()
    wanted = organisation.blocs - EmulationBloc.objects.exclude(code__startswith=PREFIX).count()
    if ours == 0 and wanted > 0:
        added["blocs"] = _create_blocs(wanted, by_code, year)
    return added


@transaction.atomic
def clean() -> dict[str, int]:
    """Remove the blocs and units `ensure` added, children first (the people go before)."""
    blocs = EmulationBloc.objects.filter(code__startswith=PREFIX)
    removed = {"bloc memberships": BlocMembership.objects.filter(bloc__in=blocs).count()}
    removed["blocs"] = blocs.count()
    BlocLeadership.objects.filter(bloc__in=blocs).delete()
    BlocMembership.objects.filter(Q(bloc__in=blocs) | Q(unit__code__startswith=PREFIX)).delete()
    blocs.delete()
    units = Unit.objects.filter(code__startswith=PREFIX)
    removed["units"] = 0
    for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
        removed["units"] += units.filter(depth=depth).delete()[0]
    return removed
