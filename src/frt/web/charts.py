"""Charts drawn as inline SVG on the server (issue 12, item 12): counts over time, a distribution
and a DET plot. No script, no CDN and no style attributes (the Content-Security-Policy allows
neither inline scripts nor inline styles): plain SVG elements with presentation attributes, each
chart with a title and a text description for screen readers and a table beside it on its page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 16, 44  # margins: the legend sits on the right
COLOURS = ("#1f5fa8", "#c2570c", "#2e7d32", "#7b1fa2")
RULE_COLOUR = "#b00020"


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[float, float]]  # (x, y), x increasing


def _svg(title: str, description: str, body: list[str], height: int = HEIGHT) -> Markup:
    head = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'font-family="system-ui, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(
    x: float, y: float, text: str, anchor: str = "middle", fill: str = "#222", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = "#ccc", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{extra}/>'
    )


def nice_ticks(high: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `high`, 1, 2 or 5 times a power of ten apart (and at
    least 1: every chart here counts things)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = max(1, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))  # counts: whole
    top = step * math.ceil(high / step)
    return [step * i for i in range(int(round(top / step)) + 1)]


def _count(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _legend(labels: Sequence[str], colours: Sequence[str]) -> list[str]:
    x = WIDTH - RIGHT + 14
    out = []
    for i, (label, colour) in enumerate(zip(labels, colours)):
        y = TOP + 14 + i * 20
        out.append(_line(x, y - 4, x + 22, y - 4, colour, stroke_width="3"))
        out.append(_text(x + 28, y, label, "start"))
    return out


def time_chart(
    series: Sequence[Series], title: str, y_label: str, start: datetime, end: datetime, tz
) -> Markup:
    """Counts against the time of day (the force's zone): one line per series."""
    span = max((end - start).total_seconds(), 1.0)
    high = max((y for s in series for _, y in s.points), default=0.0)
    ticks = nice_ticks(high)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(seconds: float) -> float:
        return LEFT + plot_w * seconds / span

    def py(value: float) -> float:
        return TOP + plot_h * (1 - value / ticks[-1])

    body = [_line(LEFT, TOP, LEFT, TOP + plot_h, "#888"), _line(LEFT, py(0), LEFT + plot_w, py(0))]
    for tick in ticks:
        body.append(_line(LEFT, py(tick), LEFT + plot_w, py(tick), "#e4e4e4"))
        body.append(_text(LEFT - 6, py(tick) + 4, _count(tick), "end"))
    for i in range(5):
        at = start.timestamp() + span * i / 4
        shown = datetime.fromtimestamp(at, tz).strftime("%H:%M:%S" if span < 600 else "%H:%M")
        body.append(_text(px(span * i / 4), TOP + plot_h + 16, shown))
    body.append(_text(LEFT + plot_w / 2, HEIGHT - 6, f"time ({_zone_name(start, tz)})"))
    body.append(
        _text(14, TOP + plot_h / 2, y_label, transform=f"rotate(-90 14 {TOP + plot_h / 2:.1f})")
    )
    for s, colour in zip(series, COLOURS):
        if not s.points:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s.points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
    body += _legend([s.label for s in series], COLOURS)
    last = "; ".join(f"{s.label} {_count(s.points[-1][1]) if s.points else 0}" for s in series)
    return _svg(title, f"{title}: at the end, {last}", body)


def _zone_name(at: datetime, tz) -> str:
    return at.astimezone(tz).tzname() or str(tz)


def histogram(values: Sequence[float], title: str, unit: str, bins: int = 12) -> Markup:
    """How many values fall in each of `bins` equal ranges (e.g. Recognition Times)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if not values:
        return _svg(title, f"{title}: no values yet", [_text(WIDTH / 2, HEIGHT / 2, "no data yet")])
    low, high = min(values), max(values)
    width = (high - low) / bins if high > low else 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / width)) if high > low else 0] += 1
    ticks = nice_ticks(max(counts))
    bar_w = plot_w / bins
    body = [_line(LEFT, TOP, LEFT, TOP + plot_h, "#888")]
    for tick in ticks:
        y = TOP + plot_h * (1 - tick / ticks[-1])
        body.append(_line(LEFT, y, LEFT + plot_w, y, "#e4e4e4"))
        body.append(_text(LEFT - 6, y + 4, _count(tick), "end"))
    for i, n in enumerate(counts):
        h = plot_h * n / ticks[-1]
        body.append(
            f'<rect x="{LEFT + i * bar_w + 1:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{COLOURS[0]}">'
            f"<title>{low + i * width:,.0f}–{low + (i + 1) * width:,.0f} {unit}: {n}</title>"
            f"</rect>"
        )
    for i in range(0, bins + 1, max(1, bins // 4)):
        body.append(_text(LEFT + i * bar_w, TOP + plot_h + 16, f"{low + i * width:,.0f}"))
    body.append(_text(LEFT + plot_w / 2, HEIGHT - 6, unit))
    body.append(
        _text(14, TOP + plot_h / 2, "count", transform=f"rotate(-90 14 {TOP + plot_h / 2:.1f})")
    )
    description = f"{title}: {len(values)} values from {low:,.0f} to {high:,.0f} {unit}"
    return _svg(title, description, body)


def det_chart(fpir: Sequence[float], fnir: Sequence[float], rule: float, title: str) -> Markup:
    """A DET plot: FNIR against FPIR on log axes from 1 in 10,000 (or the run's floor) to 1, with
    the False Alert Rate rule's line always inside the axes."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT + 60 - TOP - BOTTOM
    height = HEIGHT + 60
    pairs = [(x, y) for x, y in zip(fpir, fnir) if x > 0 and y > 0]
    x_floor = min([rule / 10, *(x for x, _ in pairs)])
    y_floor = min([1e-3, *(y for _, y in pairs)])
    x_low, y_low = math.floor(math.log10(x_floor)), math.floor(math.log10(y_floor))

    def px(x: float) -> float:
        return LEFT + plot_w * (math.log10(x) - x_low) / -x_low

    def py(y: float) -> float:
        return TOP + plot_h * (1 - (math.log10(y) - y_low) / -y_low)

    body = [
        _line(LEFT, TOP, LEFT, TOP + plot_h, "#888"),
        _line(LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h, "#888"),
    ]
    for power in range(x_low, 1):
        body.append(_line(px(10**power), TOP, px(10**power), TOP + plot_h, "#e4e4e4"))
        body.append(_text(px(10**power), TOP + plot_h + 16, f"{10.0**power:g}"))
    for power in range(y_low, 1):
        body.append(_line(LEFT, py(10**power), LEFT + plot_w, py(10**power), "#e4e4e4"))
        body.append(_text(LEFT - 6, py(10**power) + 4, f"{10.0**power:g}", "end"))
    body.append(_line(px(rule), TOP, px(rule), TOP + plot_h, RULE_COLOUR, stroke_dasharray="6 4"))
    body.append(
        _text(px(rule) + 4, TOP + 12, f"1 in {round(1 / rule):,}", "start", fill=RULE_COLOUR)
    )
    if pairs:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pairs)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>'
        )
    body.append(_text(LEFT + plot_w / 2, height - 6, "FPIR (false positive identification rate)"))
    body.append(
        _text(14, TOP + plot_h / 2, "FNIR", transform=f"rotate(-90 14 {TOP + plot_h / 2:.1f})")
    )
    body += _legend(
        ["this evaluation", f"FPIR 1 in {round(1 / rule):,}"], [COLOURS[0], RULE_COLOUR]
    )
    description = f"{title}: {len(pairs)} points; the dashed line marks FPIR {rule:g}"
    return _svg(title, description, body, height)
