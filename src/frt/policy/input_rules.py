"""Bounds on what a person may enter: text, numbers and dates (hardening items 7 and 10).

Each rule returns a Decision naming its rule id and, where a document fixes the bound, its
paragraph; bounds no document fixes are FRT's own, listed in docs/security.md ("Bounds on
input", cited as `BOUNDS`). The domain applies them where data enters (`frt.core.text`, the
actions); a refusal is a wrong input (400) that names the rule, never a server error.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime, timedelta

from frt.policy.decision import Decision

BOUNDS = "FRT bounds on input (docs/security.md)"

# The longest text a person types into one field (a narrative, an intelligence case summary).
MAX_TEXT_CHARS = 20_000
# Tab, line feed and carriage return are part of typed text; every other control character is not.
TYPED_CONTROLS = frozenset("\t\n\r")

# Dates a person enters for the future (a Deployment's times) lie within this horizon of now;
# dates of the past (when a loss occurred, when a photo was taken) within PAST_HORIZON.
FUTURE_HORIZON = timedelta(days=2 * 366)
PAST_HORIZON = timedelta(days=1 * 366)
EARLIEST_PHOTO = date(1900, 1, 1)

# An LFR Deployment's cameras (004 §9.6(4) publishes the number of LFR assets): a van has a few.
MAX_CAMERAS = 50

# The Convention's articles that set out rights and freedoms (ECHR Section I, Articles 2-14):
# what an Application may say is engaged (001 stage 1, item 3: "Art. 8 and may include 9, 10, 11
# & 14"). Article 1 and Articles 15-18 bind states; they are not engaged by a Deployment.
ECHR_ARTICLES = {
    2: "right to life",
    3: "prohibition of torture",
    4: "prohibition of slavery and forced labour",
    5: "right to liberty and security",
    6: "right to a fair trial",
    7: "no punishment without law",
    8: "right to respect for private and family life",
    9: "freedom of thought, conscience and religion",
    10: "freedom of expression",
    11: "freedom of assembly and association",
    12: "right to marry",
    13: "right to an effective remedy",
    14: "prohibition of discrimination",
}


def _ok(reason: str, citation: str, rule: str) -> Decision:
    return Decision.allow(reason, citation, rule)


def _no(reason: str, citation: str, rule: str) -> Decision:
    return Decision.refuse(reason, citation, rule)


# ------------------------------------------------------------------ text
def bad_character(text: str, *, multiline: bool = True) -> str | None:
    """The first character typed text may not hold, described; None if there is none.

    Refused: lone surrogates (not Unicode text at all: nothing can store or show them), and
    control characters other than tab and line breaks (invisible; they corrupt files and logs).
    """
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        if category == "Cs":
            return f"a lone surrogate (U+{ord(char):04X}) at character {position}"
        if category == "Cc" and not (multiline and char in TYPED_CONTROLS):
            return f"the control character U+{ord(char):04X} at character {position}"
    return None


def text_valid(
    field: str, text: str, *, max_chars: int = MAX_TEXT_CHARS, multiline: bool = True
) -> Decision:
    """INPUT-TEXT: text a person enters is Unicode text without control characters, and no longer
    than a person types into one field."""
    if len(text) > max_chars:
        return _no(
            f"{field} is {len(text):,} characters; the limit is {max_chars:,}", BOUNDS, "INPUT-TEXT"
        )
    problem = bad_character(text, multiline=multiline)
    if problem is not None:
        return _no(f"{field} holds {problem}", BOUNDS, "INPUT-TEXT")
    return _ok(f"{field} is text", BOUNDS, "INPUT-TEXT")


# ------------------------------------------------------------------ numbers
def number_in_range(
    field: str,
    value: object,
    low: float,
    high: float,
    *,
    integer: bool = False,
    low_open: bool = False,
    citation: str = BOUNDS,
    rule: str = "INPUT-NUMBER",
) -> Decision:
    """INPUT-NUMBER (or the caller's rule): a finite number (an integer where one is counted)
    between `low` and `high` (`low` itself excluded when `low_open`)."""
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _no(f"{field} must be {kind}", citation, rule)
    if integer and not (isinstance(value, int) or float(value).is_integer()):
        return _no(f"{field} must be {kind}", citation, rule)
    if isinstance(value, float) and not math.isfinite(value):
        return _no(f"{field} must be a finite number", citation, rule)
    above = value > low if low_open else value >= low
    if not above or value > high:
        bound = f"{'above' if low_open else 'at least'} {low:g} and at most {high:g}"
        shown = f"{value:g}" if abs(value) < 1e15 else f"{float(value):.3g}"
        return _no(f"{field} must be {bound} (not {shown})", citation, rule)
    return _ok(f"{field} within {low:g}-{high:g}", citation, rule)


def camera_count(value: object) -> Decision:
    """GOV-APP-CAMERAS: an Application proposes between 1 and MAX_CAMERAS cameras."""
    return number_in_range(
        "the number of cameras",
        value,
        1,
        MAX_CAMERAS,
        integer=True,
        citation="004 §9.6(4)",
        rule="GOV-APP-CAMERAS",
    )


def echr_articles(articles: list[object]) -> Decision:
    """GOV-APP-ECHR: the articles engaged are Convention rights (Articles 2-14), Article 8 among
    them (001 stage 1, item 3)."""
    cite = "001 stage 1, item 3"
    unknown = [
        a
        for a in articles
        if isinstance(a, bool) or not isinstance(a, int) or a not in ECHR_ARTICLES
    ]
    if unknown:
        shown = ", ".join(str(a)[:24] for a in unknown[:3])
        return _no(
            f"ECHR article(s) {shown} are not Convention rights: an Application names "
            "Articles 2 to 14",
            cite,
            "GOV-APP-ECHR",
        )
    if articles and 8 not in articles:
        return _no("ECHR Article 8 is always engaged", cite, "GOV-APP-ECHR")
    return _ok("Convention rights named", cite, "GOV-APP-ECHR")


# ------------------------------------------------------------------ dates and times
def within_horizon(
    field: str,
    when: datetime | date,
    now: datetime,
    *,
    past: timedelta = PAST_HORIZON,
    ahead: timedelta = FUTURE_HORIZON,
) -> Decision:
    """INPUT-DATE: a date a person enters lies within `past` before and `ahead` after now (year
    9999 is a typing error, not a plan)."""
    at = (
        when
        if isinstance(when, datetime)
        else datetime(when.year, when.month, when.day, tzinfo=now.tzinfo)
    )
    if at.tzinfo is None or now.tzinfo is None:
        at, now = at.replace(tzinfo=None), now.replace(tzinfo=None)
    earliest, latest = now - past, now + ahead
    if at < earliest or at > latest:
        return _no(
            f"{field} ({at:%d %B %Y}) lies outside {earliest:%d %B %Y} to {latest:%d %B %Y}",
            BOUNDS,
            "INPUT-DATE",
        )
    return _ok(f"{field} within the horizon", BOUNDS, "INPUT-DATE")


def application_times(starts: datetime, ends: datetime) -> Decision:
    """GOV-APP-TIMES: the proposed Deployment ends after it starts (000 §5.1: the date, time and
    duration it is authorised for)."""
    if ends <= starts:
        return _no("the proposed end must come after the start", "000 §5.1", "GOV-APP-TIMES")
    return _ok("ends after it starts", "000 §5.1", "GOV-APP-TIMES")


def photo_date(field: str, taken: date, today: date) -> Decision:
    """INPUT-PHOTO-DATE: a photo was taken on a real past day (not in the future, not before
    1900)."""
    if taken > today:
        return _no(f"{field} is in the future", BOUNDS, "INPUT-PHOTO-DATE")
    if taken < EARLIEST_PHOTO:
        return _no(f"{field} is before {EARLIEST_PHOTO:%Y}", BOUNDS, "INPUT-PHOTO-DATE")
    return _ok(f"{field} is a past day", BOUNDS, "INPUT-PHOTO-DATE")
