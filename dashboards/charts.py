"""Server-rendered geometry for the funnel (HTML bars that wrap on a phone, text at the page's
size) and the weekly trend (SVG): no JavaScript library."""

from __future__ import annotations

from dashboards.definitions import LABELS
from dashboards.report import FUNNEL_COLUMNS, Row

WIDTH, BAR, GAP = 600, 28, 8


def funnel(total: Row) -> dict:
    """One bar per funnel step (lost excluded), as wide as its share of the leads."""
    steps = [c for c in total.cells if c.column in FUNNEL_COLUMNS and c.column != "lost"]
    leads = max(total.figures.leads, 1)
    bars = []
    for i, cell in enumerate(steps):
        width = round(WIDTH * 0.6 * (cell.count or 0) / leads, 1)
        bars.append(
            {
                "label": LABELS[cell.column],
                "cell": cell,
                "y": i * (BAR + GAP),
                "width": width,
                "text_x": round(width + 136, 1),
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * (BAR + GAP),
        "width": WIDTH,
        "bar": BAR,
        "total": leads,
    }


def trend(weeks: list[Row], series: tuple[str, ...] = ("leads", "contacted", "sold")) -> dict:
    """Polylines of weekly counts, scaled to the busiest week."""
    height, left, bottom = 220, 40, 30
    top = max([r.figures.leads for r in weeks] + [1])
    n = len(weeks)
    step = (WIDTH - left - 10) / max(n - 1, 1)

    def y(value: int) -> float:
        return round(height - bottom - (height - bottom - 10) * value / top, 1)

    lines = [
        {
            "key": key,
            "label": LABELS[key],
            "points": " ".join(
                f"{round(left + i * step, 1)},{y(getattr(r.figures, key))}"
                for i, r in enumerate(weeks)
            ),
        }
        for key in series
    ]
    ticks = [{"x": round(left + i * step, 1), "row": r} for i, r in enumerate(weeks)]
    return {
        "lines": lines,
        "ticks": ticks,
        "width": WIDTH,
        "height": height,
        "top": top,
        "label_y": y(top) + 4,
        "base_y": y(0),
        "left": left,
    }
