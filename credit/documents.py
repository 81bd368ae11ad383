"""The consumption restriction order (限制消费令) as a PDF, in the style of the notice documents
(``templates/cases/notice_document.html``: A4, GB/T 9704 margins, Noto Serif CJK, the seal place)."""
from django.template.loader import render_to_string
from django.utils import translation

from cases.documents import cn_date, court_name
from cases.measures import local_date


def restriction_context(order, viewer=None) -> dict:
    return {"order": order, "court": court_name(), "persons": list(order.persons.all()),
            "acts": order.act_labels(), "case": order.case,
            "date": cn_date(local_date(order.issued_at or order.signed_at or order.created_at))}


def restriction_html(document, extra) -> str:
    """The stored document (``documents``): rendered once, with its code and QR to /verify/."""
    order = document.restriction_order
    return render_to_string("credit/restriction_document.html", {**restriction_context(order), **extra})


def restriction_standing(document):
    order = getattr(document, "restriction_order", None)
    if order is not None and order.status == "lifted":
        return {"code": "released", "text": "已解除"}
    return None


def register_document_kind() -> None:
    from documents.services import register_kind

    register_kind("restriction", render=restriction_html, standing=restriction_standing)


def render_restriction_pdf(order, viewer=None) -> bytes:
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string("credit/restriction_document.html", restriction_context(order, viewer))
    return HTML(string=html).write_pdf()
