"""The Excel export (openpyxl) and the printable PDF report (WeasyPrint) of a period.

The workbook has one sheet of scores and one of evidence; its totals are the ranking page's totals
(``ranking_totals``), the evidence rows are exactly the rows the evidence pages list.
"""
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import charts, selectors
from .models import AssessmentScore, DataQuality, IndicatorCode

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def indicator_columns(period):
    """The enabled indicators of a period, in scheme order: [(code, label)]."""
    return [(i.code, i.get_code_display()) for i in period.indicators.all() if i.enabled]


def ranking_totals(scores, columns) -> dict:
    """What the ranking page and the workbook both print under the table."""
    totals = {"score": sum((s.score for s in scores), Decimal("0")), "units": len(scores), "indicators": {}}
    for code, _label in columns:
        totals["indicators"][code] = {
            "sample": sum(s.metrics.get(code, {}).get("sample", 0) for s in scores),
            "points": sum((Decimal(str(s.metrics.get(code, {}).get("points", 0))) for s in scores), Decimal("0")),
        }
    totals["cells"] = [{"code": code, **totals["indicators"][code]} for code, _label in columns]
    return totals


def attach_cells(scores, columns):
    """Give each score the cells of its table row, in column order (templates cannot index a dict), and
    its place (``place_scores``). An indicator the score was computed without (enabled since) is a
    ``missing`` cell, printed "—": not a 0/0 scored 0."""
    for s in scores:
        s.cells = [{"code": code, "kind": "rate", "sample": 0, "met": 0, "points": 0, "flag": "ok",
                    **s.metrics[code]} if code in s.metrics else
                   {"code": code, "kind": "missing", "sample": 0, "met": 0, "points": None, "flag": "ok"}
                   for code, _label in columns]
    place_scores(scores)
    return scores


def place_scores(scores):
    """The place each score is shown with: its rank among the units that had a sample (equal scores share
    a place: 1, 1, 3), in the ranking's order. A unit with no sample at all is not placed (``None``, shown
    "—"): its score is the neutral value, not earned. The stored ``rank`` (the API) still ranks every unit
    (docs/assessment.md)."""
    previous, place, placed = None, None, 0
    for s in scores:
        if s.data_quality == DataQuality.NO_SAMPLE:
            s.place = None
            continue
        placed += 1
        if s.score != previous:
            place, previous = placed, s.score
        s.place = place
    return scores


def place_of(score) -> int | None:
    """One score's place (``place_scores``) without reading the others' rows: one count."""
    if score.data_quality == DataQuality.NO_SAMPLE:
        return None
    return 1 + AssessmentScore.objects.filter(period_id=score.period_id, score__gt=score.score).exclude(
        data_quality=DataQuality.NO_SAMPLE).count()


def no_sample_summary(scores) -> dict:
    """How many units had no sample at all (``idle``), and whether that is every unit (``everyone``): what
    the ranking says above its table so that neutral scores are not read as earned."""
    idle = sum(1 for s in scores if s.data_quality == DataQuality.NO_SAMPLE)
    return {"idle": idle, "everyone": bool(scores) and idle == len(scores)}


EVIDENCE_KINDS = {"notice": gettext_lazy("Notice"), "actionitem": gettext_lazy("Action item"),
                  "noncooperationreport": gettext_lazy("Non-cooperation report"), "case": gettext_lazy("Case")}


def build_workbook(user, period) -> bytes:
    """Two titled sheets (``linkage.excel``): the scores with the ranking page's totals, and the evidence."""
    from linkage.excel import workbook_bytes

    scores = list(selectors.scores_for_list(user, period))
    columns = indicator_columns(period)
    totals = ranking_totals(scores, columns)
    header = [_("Rank"), _("Unit"), _("Score"), _("Data quality")]
    types = ["int", "text", "number", "text"]
    for _code, label in columns:
        sample, met, points = _("sample"), _("met"), _("points")
        header += [f"{label} · {sample}", f"{label} · {met}", f"{label} · {points}"]
        types += ["int", "int", "number"]
    header += [_("Court: to issue (h)"), _("Unit: to acknowledge (h)"), _("Unit: to answer (h)"),
               _("Unit: to release (h)"), _("Clock stopped (h)")]
    types += ["hours"] * 5
    rows = []
    for s in place_scores(scores):
        row = [s.place, s.unit.name, s.score, s.get_data_quality_display()]
        for code, _label in columns:
            m = s.metrics.get(code, {})
            row += [m.get("sample", 0), m.get("met", 0), m.get("points")]
        stages = s.metrics.get("stages", {})
        row += [stages.get("court_to_issue_hours"), stages.get("unit_to_acknowledge_hours"),
                stages.get("unit_to_answer_hours"), stages.get("unit_to_release_hours"), stages.get("paused_hours")]
        rows.append(row)
    total_row = [_("Total"), _("%(count)s units") % {"count": totals["units"]}, totals["score"], ""]
    for code, _label in columns:
        total_row += [totals["indicators"][code]["sample"], None, totals["indicators"][code]["points"]]
    rows.append(total_row)

    labels = dict(IndicatorCode.choices)
    evidence = ([score.unit.name, str(labels[code]), str(EVIDENCE_KINDS.get(row.kind, row.kind)), row.label,
                 row.detail, _("Met") if row.met else _("Not met"), row.due_at, row.done_at]
                for score, code, row in selectors.evidence_rows(period, scores))
    return workbook_bytes([
        {"title": _("Assessment scores, %(period)s") % {"period": period.name}, "name": _("Scores"),
         "headers": header, "rows": rows, "column_types": types},
        {"title": _("Assessment evidence, %(period)s") % {"period": period.name}, "name": _("Evidence"),
         "headers": [_("Unit"), _("Indicator"), _("Type"), _("Number"), _("Detail"), _("Met"), _("Due"),
                     _("Done")],
         "rows": evidence,
         "column_types": ["text", "text", "text", "text", "text", "text", "datetime", "datetime"]},
    ])


def xlsx_response(user, period) -> HttpResponse:
    from linkage.excel import xlsx_http_response
    from members.services import access_log

    access_log(actor=user, what="assessment_xlsx", obj=period)  # the scores and their evidence: audited
    return xlsx_http_response(build_workbook(user, period), f"考评{period.name}.xlsx",
                              fallback=f"assessment-{period.pk}.xlsx")


def render_report_pdf(user, period) -> bytes:
    """The printable report for the governance committee (Noto CJK fonts from Debian, no download)."""
    from weasyprint import HTML  # lazily: it loads Pango

    columns = indicator_columns(period)
    scores = attach_cells(list(selectors.scores_for_list(user, period)), columns)
    with translation.override("zh-hans"):
        html = render_to_string("assessments/report_document.html", {
            "period": period, "scores": scores, "columns": columns,
            "totals": ranking_totals(scores, columns), "no_sample": no_sample_summary(scores),
            "score_chart": charts.score_bars(scores), "rate_chart": charts.rate_bars(scores),
            "today": timezone.localdate(),
        })
    return HTML(string=html).write_pdf()
