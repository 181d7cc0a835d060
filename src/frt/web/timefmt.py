"""How pages and the CLI show times, durations, labels and counts to people (issue 12, item 8).

- Times to the minute in the force's own time zone (UK forces: Europe/London), with GMT or BST
  shown: `local(dt, profile)` → "Tue 4 Mar 2025 14:05 GMT".
- Durations as hours and minutes: `duration(timedelta)` → "7 h 30 min".
- Vocabulary values as the labels people use: `label("marked_vans")` → "Marked vans".
- Counts with plurals that agree: `count(1, "alert")` → "1 alert".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

UK = "Europe/London"
ACRONYMS = {
    "echr": "ECHR",
    "dpa": "DPA",
    "lfr": "LFR",
    "rfr": "RFR",
    "npcc": "NPCC",
    "ao": "AO",
    "sro": "SRO",
    "dpo": "DPO",
    "dpia": "DPIA",
    "eia": "EIA",
    "cctv": "CCTV",
    "anpr": "ANPR",
    "pace": "PACE",
    "mopi": "MOPI",
    "cpia": "CPIA",
    "id": "ID",
}


def zone_of(profile=None) -> ZoneInfo:
    """The force's time zone: the profile's if it names one, else the UK's."""
    name = getattr(profile, "time_zone", None) or UK
    return ZoneInfo(name)


def local(value: datetime | None, profile=None, fmt: str = "%a %-d %b %Y %H:%M") -> str:
    """A moment to the minute in the force's zone, with its abbreviation (GMT/BST)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    there = value.astimezone(zone_of(profile))
    return f"{there.strftime(fmt)} {there.tzname()}"


def local_time(value: datetime | None, profile=None) -> str:
    return local(value, profile, "%H:%M")


def local_date(value: datetime | None, profile=None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_of(profile)).strftime("%a %-d %b %Y")


def form_value(value: datetime | None, profile=None) -> str:
    """A moment as a datetime-local field's value (the force's local time, to the minute)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_of(profile)).strftime("%Y-%m-%dT%H:%M")


def span(start: datetime | None, end: datetime | None, profile=None) -> str:
    """ "Tue 4 Mar 2025 09:00 – 17:00 GMT", or both dates when they differ."""
    if start is None or end is None:
        return local(start or end, profile)
    if local_date(start, profile) == local_date(end, profile):
        return f"{local(start, profile).rsplit(' ', 1)[0]} – {local_time(end, profile)}"
    return f"{local(start, profile)} – {local(end, profile)}"


def duration(value: timedelta | float | None, unit: str = "hours") -> str:
    """Hours and minutes: "7 h 30 min", "45 min", "2 days 3 h"."""
    if value is None:
        return ""
    if not isinstance(value, timedelta):
        value = timedelta(**{unit: float(value)})
    minutes = max(0, round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(count(days, "day"))
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


def retention(hours: float) -> str:
    """A retention period in the unit a person would state it: 744 h → "31 days"."""
    if hours >= 24 and hours % 24 == 0:
        return count(int(hours // 24), "day")
    return count(int(hours) if float(hours).is_integer() else hours, "hour")


def label(value) -> str:
    """A vocabulary value as people write it: "marked_vans" → "Marked vans"; an enum's own
    label if it has one; a list as a comma-separated phrase."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(label(v) for v in value)
    own = getattr(value, "label", None)
    if isinstance(own, str):
        return own
    text = str(getattr(value, "value", value))
    words = text.replace("_", " ").split()
    if not words:
        return ""
    words = [ACRONYMS.get(w.lower(), w) for w in words]
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


def articles(values) -> str:
    """ECHR Articles: [8, 11] → "ECHR Articles 8 and 11"; [8] → "ECHR Article 8"."""
    items = sorted(int(v) for v in values or [])
    if not items:
        return ""
    if len(items) == 1:
        return f"ECHR Article {items[0]}"
    return "ECHR Articles " + ", ".join(map(str, items[:-1])) + f" and {items[-1]}"


def count(n: float, noun: str, plural: str | None = None) -> str:
    """ "1 alert", "2 alerts", "0 alerts"; `plural` for irregular nouns."""
    word = noun if n == 1 else (plural or _plural(noun))
    return f"{n:,} {word}" if isinstance(n, int) else f"{n} {word}"


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def since(value: datetime, now: datetime | None = None) -> timedelta:
    now = now or datetime.now(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return now - value
