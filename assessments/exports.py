"""The Excel export (openpyxl) and the printable PDF report (WeasyPrint) of a period.

The workbook has one sheet of scores and one of evidence; its totals are the ranking page's totals
(``ranking_totals``), the evidence rows are exactly the rows the evidence pages list.
"""
import io
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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


def _naive(value):
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def build_workbook(user, period) -> bytes:
    from openpyxl import Workbook

    from linkage.text import safe_row  # text as text: no control characters, no live formulas

    scores = list(selectors.scores_for_list(user, period))
    columns = indicator_columns(period)
    totals = ranking_totals(scores, columns)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Scores"))
    header = [_("Rank"), _("Unit code"), _("Unit"), _("Score"), _("Data quality")]
    for _code, label in columns:
        sample, met, points = _("sample"), _("met"), _("points")
        header += [f"{label} · {sample}", f"{label} · {met}", f"{label} · {points}"]
    header += [_("Court: to issue (h)"), _("Unit: to acknowledge (h)"), _("Unit: to answer (h)"),
               _("Unit: to release (h)"), _("Clock stopped (h)")]
    sheet.append(safe_row(header))
    for s in scores:
        row = [s.rank, s.unit.code, s.unit.name, float(s.score), s.get_data_quality_display()]
        for code, _label in columns:
            m = s.metrics.get(code, {})
            row += [m.get("sample", 0), m.get("met", 0), m.get("points", 0)]
        stages = s.metrics.get("stages", {})
        row += [stages.get("court_to_issue_hours"), stages.get("unit_to_acknowledge_hours"),
                stages.get("unit_to_answer_hours"), stages.get("unit_to_release_hours"), stages.get("paused_hours")]
        sheet.append(safe_row(row))
    total_row = [_("Total"), "", str(totals["units"]), float(totals["score"]), ""]
    for code, _label in columns:
        total_row += [totals["indicators"][code]["sample"], "", float(totals["indicators"][code]["points"])]
    sheet.append(safe_row(total_row))

    evidence = wb.create_sheet(_("Evidence"))
    evidence.append(safe_row([_("Unit code"), _("Unit"), _("Indicator"), _("Indicator name"), _("Type"), _("Id"),
                              _("Number"), _("Met"), _("Due"), _("Done")]))
    labels = dict(IndicatorCode.choices)
    for score, code, row in selectors.evidence_rows(period, scores):
        evidence.append(safe_row([score.unit.code, score.unit.name, code, str(labels[code]), row.kind,
                                  row.object_id, row.label, 1 if row.met else 0, _naive(row.due_at),
                                  _naive(row.done_at)]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(user, period) -> HttpResponse:
    from cases.services import access_log

    access_log(actor=user, what="assessment_xlsx", obj=period)  # the scores and their evidence: audited
    response = HttpResponse(build_workbook(user, period), content_type=XLSX)
    from linkage.http import content_disposition

    response["Content-Disposition"] = content_disposition(
        f"考评{period.name}.xlsx", as_attachment=True, fallback=f"assessment-{period.pk}.xlsx")
    return response


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
