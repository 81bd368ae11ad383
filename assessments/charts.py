"""Charts drawn on the server as inline SVG: no CDN, no JavaScript, printable as they are.

Text is escaped with the standard library's ``html.escape``, which is what Django's ``escape`` calls
(without its lazy-string wrapper: a ranking escapes a few hundred names and titles)."""
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

COLORS = ["#1d4e89", "#2f8f5b", "#c27c0e", "#9b2c2c"]
FLAG_COLOR = "#8a94a3"


def _svg(width, height, title, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
        # Presentation attributes, not a <style> element: the portal's CSP allows no inline styles.
        f'<g font-family="Noto Sans CJK SC, sans-serif" font-size="11" fill="#1f2933">{body}</g></svg>')


def score_bars(scores, *, width=680, label_width=190):
    """Scores by unit, highest first; a grey bar when the sample is too small to rank on."""
    row_h, top = 18, 6
    top_score = max([float(s.score) for s in scores] + [100.0])
    plot = width - label_width - 50
    parts = []
    for i, s in enumerate(scores):
        y = top + i * row_h
        w = plot * float(s.score) / top_score
        color = COLORS[0] if s.data_quality == "ok" else FLAG_COLOR
        name = escape(s.unit.name)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 12}" text-anchor="end">{name}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="{color}">'
            f'<title>{name}: {s.score}</title></rect>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + 12}">{s.score}</text>')
    height = top * 2 + row_h * max(len(scores), 1) + 16
    parts.append(f'<text x="{label_width}" y="{height - 4}" fill="#6b7280">'
                 + escape(str(GREY_NOTE)) + "</text>")
    return _svg(width, height, _("Scores by unit"), "".join(parts))


GREY_NOTE = gettext_lazy("Grey: sample too small to rank on")
NO_SAMPLE = gettext_lazy("no sample: neutral value")
NO_PERIOD = gettext_lazy("No computed period yet.")
RATE_SERIES = [("ack_on_time", gettext_lazy("acknowledged on time")),
               ("answer_on_time", gettext_lazy("answered on time")),
               ("release_on_time", gettext_lazy("releases on time"))]


def rate_bars(scores, *, width=680, label_width=190):
    """On-time rates per unit (acknowledge, answer, release). Where a unit had no sample the bar is its
    neutral value, the one its score counted (the mean of the units with a sample), drawn grey and
    labelled: a 0/0 is never drawn as a rate of 0."""
    series = [(code, label) for code, label in RATE_SERIES if any(code in s.metrics for s in scores)]
    bar_h, gap = 6, 6
    group_h = bar_h * len(series) + gap
    plot = width - label_width - 50
    parts = []
    for k, (_code, label) in enumerate(series):
        parts.append(f'<rect x="{label_width + k * 170}" y="2" width="10" height="10" fill="{COLORS[k]}"/>'
                     f'<text x="{label_width + k * 170 + 14}" y="11">{escape(str(label))}</text>')
    top = 20
    no_sample = escape(str(NO_SAMPLE))
    for i, s in enumerate(scores):
        y = top + i * group_h
        name = escape(s.unit.name)
        parts.append(f'<text x="{label_width - 6}" y="{y + group_h / 2 + 3:.1f}" text-anchor="end">'
                     f'{name}</text>')
        for k, (code, _label) in enumerate(series):
            m = s.metrics.get(code)
            if not m:
                continue
            idle = m["flag"] == "no_sample"
            w = plot * float(m["value"])
            tip = f'{name} {m["met"]}/{m["sample"]}' + (f" · {no_sample}" if idle else "")
            parts.append(f'<rect x="{label_width}" y="{y + k * bar_h}" width="{w:.1f}" height="{bar_h - 1}" '
                         f'fill="{FLAG_COLOR if idle else COLORS[k]}"><title>{tip}</title></rect>')
            if idle:
                parts.append(f'<text x="{label_width + w + 3:.1f}" y="{y + k * bar_h + 6}" font-size="7" '
                             'fill="#4b5563">' + no_sample + "</text>")
    height = top + group_h * max(len(scores), 1) + 6
    return _svg(width, height, _("On-time rates by unit"), "".join(parts))


def trend_line(rows, *, width=680, height=220):
    """Scores across periods: the mean with the lowest-highest band, and one unit's line if given."""
    left, right, top, bottom = 40, 20, 14, 40
    if not rows:
        return _svg(width, 40, _("Trend across periods"),
                    '<text x="10" y="24">' + escape(str(NO_PERIOD)) + "</text>")
    n = len(rows)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return top + plot_h * (1 - float(v) / 100)

    parts = []
    for v in (0, 50, 100):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>')
    band = [f"{x(i):.1f},{y(r['high']):.1f}" for i, r in enumerate(rows)]
    band += [f"{x(i):.1f},{y(r['low']):.1f}" for i, r in reversed(list(enumerate(rows)))]
    parts.append(f'<polygon points="{" ".join(band)}" fill="#dbe6f4" stroke="none"/>')
    mean = " ".join(f"{x(i):.1f},{y(r['mean']):.1f}" for i, r in enumerate(rows))
    parts.append(f'<polyline points="{mean}" fill="none" stroke="{COLORS[0]}" stroke-width="2"/>')
    own = [(i, r["unit_score"]) for i, r in enumerate(rows) if r.get("unit_score") is not None]
    if own:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in own)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{COLORS[2]}" stroke-width="2" '
                     f'stroke-dasharray="5 3"/>')
    for i, r in enumerate(rows):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(r["mean"]):.1f}" r="3" fill="{COLORS[0]}">'
                     f'<title>{escape(r["period__name"])}: {float(r["mean"]):.2f}</title></circle>'
                     f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                     f'{escape(r["period__name"])}</text>')
    legend = escape(_("Mean score (band: lowest to highest)"))
    if own:
        legend += " · " + escape(_("dashed: this unit"))
    parts.append(f'<text x="{left}" y="{height - 6}" fill="#6b7280">{legend}</text>')
    return _svg(width, height, _("Trend across periods"), "".join(parts))
