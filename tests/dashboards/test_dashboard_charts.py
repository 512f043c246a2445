"""The charts are SVG drawn on the server from the same figures as the tables (no JavaScript
library), and every bar is a link to the leads behind it."""

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests import dashboard_dataset
from tests.dashboard_dataset import MARCH


@pytest.fixture
def data(db, settings):
    return dashboard_dataset.build(settings)


def dashboard(client, data):
    client.force_login(data.boss)
    return client.get(f"{reverse('dashboards:dashboard')}?{urlencode(MARCH)}")


def test_the_funnel_is_one_bar_per_step_as_wide_as_its_share(client, data):
    funnel = dashboard(client, data).context["funnel"]
    # The hand-worked March totals: 10 leads, 6 contacted, 4 appointments, 3 showed, 3 sold.
    counts = [(bar["cell"].column, bar["cell"].count) for bar in funnel["bars"]]
    assert counts == [
        ("leads", 10),
        ("contacted", 6),
        ("appointment", 4),
        ("showed", 3),
        ("sold", 3),
    ]
    assert [bar["width"] for bar in funnel["bars"]] == [360.0, 216.0, 144.0, 108.0, 108.0]


def test_the_weekly_trend_plots_each_week(client, data):
    trend = dashboard(client, data).context["trend"]
    # Weeks of 2 March (9 leads, 5 contacted, 3 sold) and 9 March (lead 10 only): scaled to 9.
    lines = {line["key"]: line["points"].split() for line in trend["lines"]}
    ys = {key: [float(p.split(",")[1]) for p in pts] for key, pts in lines.items()}
    assert trend["top"] == 9
    assert ys["leads"] == [trend["label_y"] - 4, pytest.approx(190 - 180 / 9, abs=0.1)]
    assert ys["sold"][1] == trend["base_y"]  # nothing sold in the second week


def test_the_page_draws_its_charts_with_links_and_loads_no_chart_script(client, data):
    html = unescape(dashboard(client, data).content.decode())
    funnel = html[html.index('<ol class="chart-wrap funnel"') :]
    bars = re.findall(
        r'<li><a href="([^"]+)">\s*<span class="step">', funnel[: funnel.index("</ol>")]
    )
    assert len(bars) == 5 and all("figure=" in href for href in bars)
    sold = client.get(bars[-1]).context["page"].paginator.count
    assert sold == 3
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert len(svgs) == 1  # the weekly trend
    assert len(re.findall(r"<polyline", svgs[0])) == 3
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    # htmx from its package and the site's own small script (no chart library), nothing else.
    assert all("htmx" in src or src == "/static/js/app.js" for src in scripts), scripts


def test_the_funnel_is_html_that_a_phone_reads_without_scrolling(client, data):
    html = dashboard(client, data).content.decode()
    funnel = html[html.index('<ol class="chart-wrap funnel"') : html.index("</ol>")]
    assert '<progress max="10" value="6">' in funnel  # contacted: 6 of the 10 leads
    assert "<svg" not in funnel  # text at the page's size, not scaled down with a drawing
