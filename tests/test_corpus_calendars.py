"""Every calendar of the shared corpus, real and broken, read over long and short windows.

`REFERENCE-PARSE-RESULTS-calendars.tsv` records what icalendar + recurring-ical-events give
when asked for 2000-01-01 .. 2030-01-01 in one call; where they read a file whole, so must we.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import SourceError
from bot.sources.calendars import ParsedCalendar, parse_calendar

MADRID = ZoneInfo("Europe/Madrid")
THIRTY_YEARS = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
SIXTY_DAYS = (datetime(2019, 2, 1, tzinfo=UTC), datetime(2019, 4, 2, tzinfo=UTC))
# A bound on runaway work, not a speed target: the slowest file (3,704 occurrences in thirty
# years) takes about 0.6 s, while an unbounded RRULE takes minutes; a loaded CI machine may be
# several times slower than a laptop.
SECONDS_PER_FILE = 20.0
# Files the libraries give up on where we read all but the broken events (see the warnings).
BETTER_THAN_REFERENCE = {
    "calendars/broken/icalendar__issue_722_missing_timezones.ics": 2,
    "calendars/broken/icalendar__parsing_error.ics": 20,
    "calendars/real/icaljs__google_birthday.ics": 3,
    "calendars/real/ics-parser__ICal.ics": 1_088,
}


@dataclass(frozen=True)
class Reading:
    """What `parse_calendar` gave for one file, and how long it took."""

    result: ParsedCalendar | SourceError
    seconds: float

    @property
    def count(self) -> int | str:
        result = self.result
        return len(result.occurrences) if isinstance(result, ParsedCalendar) else str(result)


def read_corpus(corpus_dir: Path, window: tuple[datetime, datetime]) -> dict[str, Reading]:
    """Each file, by its path under the corpus; any exception but SourceError escapes."""
    files = sorted((corpus_dir / "calendars").rglob("*.ics"))
    assert files, f"no calendars under {corpus_dir}"
    return {path.relative_to(corpus_dir).as_posix(): read(path, window) for path in files}


def read(path: Path, window: tuple[datetime, datetime]) -> Reading:
    start, end = window
    began = time.perf_counter()
    try:
        result: ParsedCalendar | SourceError = parse_calendar(
            path.read_bytes(), start=start, end=end, timezone=MADRID
        )
    except SourceError as exc:
        result = exc
    return Reading(result, time.perf_counter() - began)


@pytest.fixture(scope="module")
def thirty_years(corpus_dir: Path) -> dict[str, Reading]:
    return read_corpus(corpus_dir, THIRTY_YEARS)


def slow(readings: dict[str, Reading]) -> dict[str, float]:
    return {name: r.seconds for name, r in readings.items() if r.seconds > SECONDS_PER_FILE}


def test_every_file_is_read_or_refused_quickly_over_thirty_years(
    thirty_years: dict[str, Reading],
) -> None:
    assert slow(thirty_years) == {}


def test_every_file_is_read_or_refused_quickly_over_sixty_days(corpus_dir: Path) -> None:
    assert slow(read_corpus(corpus_dir, SIXTY_DAYS)) == {}


def test_where_the_libraries_read_a_file_whole_we_find_the_same_occurrences(
    corpus_dir: Path, thirty_years: dict[str, Reading]
) -> None:
    expected = {
        name: count
        for name, count in (reference_counts(corpus_dir) | BETTER_THAN_REFERENCE).items()
        if name in thirty_years
    }

    assert {name: thirty_years[name].count for name in expected} == expected


def test_only_files_icalendar_cannot_read_at_all_raise_source_error(
    thirty_years: dict[str, Reading],
) -> None:
    refused = {
        name for name, reading in thirty_years.items() if isinstance(reading.result, SourceError)
    }

    assert refused == {
        "calendars/broken/icalendar__fuzz_testcase_0_char_in_component_name.ics",
        "calendars/broken/icalendar__fuzz_testcase_invalid_month.ics",
        "calendars/broken/icalendar__fuzz_testcase_vtimezone_lone_cr.ics",
    }


def reference_counts(corpus_dir: Path) -> dict[str, int]:
    """file -> occurrences, for the files the reference read without an error."""
    path = corpus_dir / "REFERENCE-PARSE-RESULTS-calendars.tsv"
    with path.open(encoding="utf-8") as tsv:
        rows = csv.DictReader((line for line in tsv if not line.startswith("#")), delimiter="\t")
        return {
            row["file"]: int(row["occurrences_or_error"])
            for row in rows
            if row["icalendar_parse"] == "ok" and row["occurrences_or_error"].isdigit()
        }
