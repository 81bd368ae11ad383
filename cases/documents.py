"""The assistance-notice document (协助执行通知书) as a PDF, rendered by WeasyPrint from a template.

Fonts come from Debian's ``fonts-noto-cjk`` (Noto Serif CJK SC / Noto Sans CJK SC) through fontconfig;
no font file is shipped with the code.
"""
from django.template.loader import render_to_string
from django.utils import timezone, translation


def render_notice_pdf(notice) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads Pango, which only PDF pages need

    with translation.override("zh-hans"):
        html = render_to_string("cases/notice_document.html", {
            "notice": notice,
            "debtors": notice.case.parties.filter(role="debtor"),
            "today": timezone.localdate(),
        })
    return HTML(string=html).write_pdf()
