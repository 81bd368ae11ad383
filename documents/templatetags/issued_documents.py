from django import template

register = template.Library()


@register.simple_tag
def case_documents(case):
    """{notice id: [its current and superseded issued documents]} of a case, in one query: the case page
    prints them beside each notice (``templates/jinja2/cases/notice_timeline.html``)."""
    from documents.models import IssuedDocument

    grouped = {}
    for doc in IssuedDocument.objects.filter(notice__case=case).order_by("id"):
        grouped.setdefault(doc.notice_id, []).append(doc)
    return grouped

