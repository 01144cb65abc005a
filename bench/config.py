"""The benchmark's parameters, read from the environment (see docs/benchmarks.md)."""

import os
from dataclasses import dataclass

# BENCH_SCALE presets: nominations carried through the full route, page requests timed.
SCALES = {
    "full": {"nominations": 500, "requests": 30},  # keeps the whole make bench under 15 min
    "small": {"nominations": 200, "requests": 10},  # CI smoke run
}


@dataclass(frozen=True)
class Names:
    """What a part of the bench calls its campaign, its unit and its people's numbers
    (bench.dataset; each part that carries nominations keeps its rows apart)."""

    campaign: str = "bench"
    unit: str = "bench-f3"
    service_prefix: str = "BENCH-"


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass(frozen=True)
class Config:
    scale: str
    nominations: int  # N: carried through the whole giay-khen route
    workers: int  # processes running the service calls of one wave side by side
    requests: int  # K: timed requests per page, after the warm-ups
    warmups: int
    bk_share: float  # share of N also carried through the whole bk-bqp route
    in_flight_share: float  # a further batch of this share of N, left at various stages
    keep: bool  # leave the bench data in the database for browsing (removed on the next run)
    write_docs: bool  # write the results block into docs/benchmarks.md

    @property
    def bk_count(self) -> int:
        return round(self.nominations * self.bk_share)

    @property
    def in_flight_count(self) -> int:
        return round(self.nominations * self.in_flight_share)

    @property
    def bk_in_flight_count(self) -> int:
        return max(3, self.nominations // 20)

    @property
    def people_needed(self) -> int:
        # bk-bqp nominations reuse the giay-khen nominees: a different award is no duplicate
        return self.nominations + self.in_flight_count


def _scale() -> str:
    scale = os.environ.get("BENCH_SCALE", "full").strip().lower() or "full"
    if scale not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {scale!r}")
    return scale


def config_from_env() -> Config:
    scale = _scale()
    preset = SCALES[scale]
    nominations = _int("BENCH_NOMINATIONS", preset["nominations"], minimum=10)
    if nominations != preset["nominations"]:
        scale = "custom"
    docs_default = "1" if scale == "full" else "0"
    return Config(
        scale=scale,
        nominations=nominations,
        workers=_int("BENCH_WORKERS", 1, minimum=1),
        requests=_int("BENCH_REQUESTS", preset["requests"], minimum=1),
        warmups=_int("BENCH_WARMUPS", 3, minimum=1),
        bk_share=_float("BENCH_BK_SHARE", 0.10),
        in_flight_share=_float("BENCH_IN_FLIGHT_SHARE", 0.5),
        keep=os.environ.get("BENCH_KEEP", "1").strip() != "0",
        write_docs=os.environ.get("BENCH_DOCS", docs_default).strip() == "1",
    )


# bench.scale_pages: nominations seeded in bulk, and the size query counts are compared at
SCALE_PAGES = {"full": 50_000, "small": 1_000}


@dataclass(frozen=True)
class ScaleConfig:
    scale: str
    nominations: int
    requests: int  # timed requests per page and user, after the warm-ups
    warmups: int
    budget_s: float  # per page and user: a slow page gets fewer requests
    keep: bool  # leave the seeded rows for browsing (the next run removes them first)
    write_docs: bool

    @property
    def sizes(self) -> tuple[int, ...]:
        """Seeded in turn: the small size first (query counts only), then the full one."""
        small = SCALE_PAGES["small"]
        return (small, self.nominations) if self.nominations > small else (self.nominations,)


def scale_config_from_env() -> ScaleConfig:
    scale = _scale()
    nominations = _int("BENCH_SCALE_NOMINATIONS", SCALE_PAGES[scale], minimum=100)
    if nominations != SCALE_PAGES[scale]:
        scale = "custom"
    docs_default = "1" if scale == "full" else "0"
    return ScaleConfig(
        scale=scale,
        nominations=nominations,
        # small: a CI smoke run of every page twice (2 and 2,000 permissions), kept short
        requests=_int("BENCH_REQUESTS", 5 if scale == "small" else 20, minimum=1),
        warmups=_int("BENCH_WARMUPS", 2 if scale == "small" else 3, minimum=1),
        budget_s=_int("BENCH_PAGE_BUDGET", 30, minimum=1),
        keep=os.environ.get("BENCH_SCALE_KEEP", "0").strip() == "1",
        write_docs=os.environ.get("BENCH_DOCS", docs_default).strip() == "1",
    )
