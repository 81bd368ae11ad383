from django import template

register = template.Library()


@register.simple_tag
def case_documents(case):
    """{notice id: [its current and superseded issued documents]} of a case, in one query."""
    from documents.models import IssuedDocument

    grouped = {}
    for doc in IssuedDocument.objects.filter(notice__case=case).order_by("id"):
        grouped.setdefault(doc.notice_id, []).append(doc)
    return grouped


@register.inclusion_tag("documents/_notice_documents.html")
def notice_documents(grouped, notice):
    return {"docs": grouped.get(notice.pk, []) if grouped else []}
