"""The coming week: approved posts by local day and slot, with the day's slots and the caps,
and a form on each post to move it (through `service.reschedule`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from bot import slots
from bot.accounts import User
from bot.models import Draft, DraftStatus
from bot.web.security import signed_in
from bot.web.site import render, site_of

router = APIRouter()
WEEK = 7


@dataclass(frozen=True)
class Day:
    day: date
    slot_times: list[datetime]
    posts: list[Draft]
    booked: int
    """Posts counting towards the day's cap: waiting to go out, or already sent."""


@router.get("/schedule")
def schedule_page(request: Request, user: Annotated[User, Depends(signed_in)]) -> HTMLResponse:
    app = site_of(request).app
    now, zone = app.clock.now(), app.settings.zone
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=WEEK), datetime.min.time(), tzinfo=zone)
    waiting = (DraftStatus.APPROVED, DraftStatus.PUBLISHING)
    posts = site_of(request).queue.scheduled(waiting, now, end)
    booked = [t.astimezone(zone).date() for t in app.store.booked_times(now - slots.CAP_WINDOW)]
    per_day = Counter(booked)
    days = [
        Day(
            day,
            slots.day_slots(day, app.slots) if app.slots else [],
            [p for p in posts if p.scheduled_at and p.scheduled_at.astimezone(zone).date() == day],
            per_day[day],
        )
        for day in (today + timedelta(days=offset) for offset in range(WEEK))
    ]
    month = sum(1 for day in booked if (day.year, day.month) == (today.year, today.month))
    return render(request, user, "schedule.html", days=days, rules=app.slots, month=month)
