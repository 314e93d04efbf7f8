"""Snooze choices land on business days at the start of business hours, in the user's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from responder.followups.business_hours import SNOOZE_CHOICES, snooze_until
from responder.settings import Settings

# Europe/Berlin, business hours 9-18 Monday to Friday (config/responder.toml).
FRIDAY_EVENING = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # Fri 18:00 in Berlin
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "now", "expected"),
    [
        # "tomorrow morning" on a Friday is Monday 9:00 Berlin (8:00 UTC), never a Saturday
        ("Tomorrow morning", FRIDAY_EVENING, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
        ("Tomorrow morning", WEDNESDAY, datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
        # Thursday + 3 days is a Sunday: moved to Monday morning
        ("In 3 days", THURSDAY, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
        ("In 3 days", datetime(2026, 11, 30, 10, 0, tzinfo=UTC), THURSDAY.replace(hour=8)),
        ("Next Monday", WEDNESDAY, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
    ],
)
def test_snooze_choices_land_on_business_days(
    settings: Settings, choice: str, now: datetime, expected: datetime
) -> None:
    until = snooze_until(choice, settings, now)
    assert until == expected
    assert until.weekday() < 5


def test_a_picked_weekend_date_moves_to_monday(settings: Settings) -> None:
    until = snooze_until("Pick a date", settings, WEDNESDAY, date(2026, 12, 5))  # a Saturday
    assert until == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("picked", [None, date(2026, 12, 2), date(2026, 11, 1)])
def test_a_missing_or_past_date_is_refused(settings: Settings, picked: date | None) -> None:
    with pytest.raises(ValueError, match="Pick"):
        snooze_until("Pick a date", settings, WEDNESDAY, picked)


def test_unknown_choice_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="Unknown snooze choice"):
        snooze_until("Someday", settings, WEDNESDAY)
    assert SNOOZE_CHOICES[0] == "Tomorrow morning"
