"""Business hours, weekends and the user's time zone: when reminders fire and replies go out.

Pure functions of a datetime and the settings (`policy.business_hours_start/_end`,
`policy.business_days` with Monday = 0, `profile.timezone`), so they are easy to test.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from responder.settings import Settings
from responder.store.claims import as_utc

log = logging.getLogger(__name__)


def user_tz(settings: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.profile.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r; using UTC", settings.profile.timezone)
        return ZoneInfo("UTC")


def next_business_time(dt: datetime, settings: Settings) -> datetime:
    """The earliest moment at or after `dt` that is inside business hours on a business day in
    the user's time zone (UTC result). Without business days or hours, `dt` itself."""
    policy = settings.policy
    start_h, end_h = policy.business_hours_start, policy.business_hours_end
    days = set(policy.business_days)
    if not days or not 0 <= start_h < end_h <= 24:
        return as_utc(dt)
    tz = user_tz(settings)
    local = as_utc(dt).astimezone(tz)
    day: date = local.date()
    for _ in range(8):
        if day.weekday() in days:
            start = datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=start_h)
            end = datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=end_h)
            if local < start:
                return as_utc(start)
            if local < end:
                return as_utc(local)
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), tzinfo=tz)
    return as_utc(dt)  # unreachable with at least one business day


def is_business_time(dt: datetime, settings: Settings) -> bool:
    return next_business_time(dt, settings) == as_utc(dt)


#: The snooze choices the app offers, in order ("Pick a date" takes a date).
SNOOZE_CHOICES = ("Tomorrow morning", "In 3 days", "Next Monday", "Pick a date")


def snooze_until(
    choice: str, settings: Settings, now: datetime, picked: date | None = None
) -> datetime:
    """The moment a snooze choice means (UTC): the start of business hours on the chosen day in
    the user's zone, moved on to the next business day when that day is none ("tomorrow
    morning" on a Friday is Monday morning). Raises ValueError for an unknown choice or a
    missing or past date."""
    tz = user_tz(settings)
    today = as_utc(now).astimezone(tz).date()
    if choice == "Tomorrow morning":
        day = today + timedelta(days=1)
    elif choice == "In 3 days":
        day = today + timedelta(days=3)
    elif choice == "Next Monday":
        day = today + timedelta(days=7 - today.weekday())
    elif choice == "Pick a date":
        if picked is None:
            raise ValueError("Pick the date to snooze until.")
        if picked <= today:
            raise ValueError("Pick a date after today.")
        day = picked
    else:
        raise ValueError(f"Unknown snooze choice {choice!r}; one of {', '.join(SNOOZE_CHOICES)}.")
    start_h = min(max(settings.policy.business_hours_start, 0), 23)
    start = datetime.combine(day, time(hour=start_h), tzinfo=tz)
    return next_business_time(start, settings)
