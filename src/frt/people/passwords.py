"""What a password must be (DATA-05; 000 §12.1(d)), after NIST SP 800-63B-4 §3.1.1.2.

- At least `MIN_LENGTH` characters (15: a password is FRT's only factor), counted after Unicode
  NFKC normalisation; spaces and every printable character are allowed; no composition rules.
- Not a common, expected or compromised password: zxcvbn (a registry package) matches it
  against its lists of common passwords, English words, names and keyboard patterns, repeats and
  sequences, and it must take at least 10^8 guesses (zxcvbn score 3).
- Not built from its context: the username and the person's names (words of five letters or
  more) and the service's name do not count towards the length, and zxcvbn is told them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_LENGTH = 15
MIN_SCORE = 3  # zxcvbn: "safely unguessable", at least 10^8 guesses
CITATION = "NIST SP 800-63B-4 §3.1.1.2; 000 §12.1(d)"
SERVICE_WORDS = ("frt", "facial", "recognition", "police")
_CHECKED = 100  # zxcvbn's cost grows with length; the first 100 characters decide


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def problem(password: str, context: Iterable[str] = ()) -> str | None:
    """Why `password` is refused, citing the rule; None if it is acceptable."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return f"the password must have at least {MIN_LENGTH} characters ({CITATION})"
    context = list(context)
    words = _context_words(context)
    rest = password.lower()
    for word in words:
        rest = rest.replace(word, "")
    if len(rest) < MIN_LENGTH:
        return (
            f"the password must have at least {MIN_LENGTH} characters besides your username, "
            f"your names and the service's name ({CITATION})"
        )
    from zxcvbn import zxcvbn  # its dictionaries load on first use

    found = zxcvbn(password[:_CHECKED], user_inputs=[*words, *_hints(context)])
    if found["score"] < MIN_SCORE:
        hint = found["feedback"].get("warning") or "it is built from common words or patterns"
        return f"the password is too easy to guess: {hint.rstrip('.')} ({CITATION})"
    return None


def _context_words(context: Iterable[str]) -> list[str]:
    """The service's words, and the person's (username, names) of five letters or more: shorter
    ones turn up inside ordinary words, and zxcvbn is told of those anyway."""
    words = set(SERVICE_WORDS)
    for item in context:
        item = (item or "").strip().lower()
        for word in {item, *re.split(r"[\s._@-]+", item)}:
            if len(word) >= 5:
                words.add(word)
    return sorted(words, key=len, reverse=True)


def _hints(context: Iterable[str]) -> list[str]:
    return [
        w for item in context for w in re.split(r"[\s._@-]+", (item or "").lower()) if len(w) >= 3
    ]
