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
from .models import IndicatorCode

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
    """Give each score the cells of its table row, in column order (templates cannot index a dict)."""
    for s in scores:
        s.cells = [{"code": code, "kind": "rate", "sample": 0, "met": 0, "points": 0, "flag": "ok",
                    **s.metrics.get(code, {})} for code, _label in columns]
    return scores


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
    for s in scores:
        row = [s.rank, s.unit.name, s.score, s.get_data_quality_display()]
        for code, _label in columns:
            m = s.metrics.get(code, {})
            row += [m.get("sample", 0), m.get("met", 0), m.get("points", 0)]
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
            "totals": ranking_totals(scores, columns),
            "score_chart": charts.score_bars(scores), "rate_chart": charts.rate_bars(scores),
            "today": timezone.localdate(),
        })
    return HTML(string=html).write_pdf()
