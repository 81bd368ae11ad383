"""The tables a clerk pages through all day, printed by Jinja2 (linkage/jinja2.py; issue 13): the notices
of the inbox and the home page, the cases of the case list and the home page, the ranking, the case
page's notices. What each row shows, in both languages, escaped, with identifiers masked."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, Notice


def _table(html: str, start: str = '<div class="table-wrap">') -> str:
    return html.split(start, 1)[1].split("</table>", 1)[0]


@pytest.mark.django_db
def test_an_inbox_row(browser_client, make_case, issue):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(title="<b>建材</b> & 公司")
    notice = issue(case, "bank-icbc", "query")
    notice.refresh_from_db()  # delivered
    client = browser_client("liaison-bank-icbc")
    rows = _table(client.get("/inbox/?tab=new").content.decode())
    assert f'<a href="/notices/{notice.pk}/">{notice.number}</a>' in rows
    assert "&lt;b&gt;建材&lt;/b&gt; &amp; 公司" in rows and "<b>建材" not in rows
    assert 'data-label="签收期限"' in rows and "待签收" not in rows.split("<tbody>")[0]
    assert f'<span class="status {notice.status}">' in rows
    assert timezone.localtime(notice.ack_due_at).strftime("%Y-%m-%d %H:%M") in rows
    assert "已逾期" not in rows
    # Past the acknowledgement's deadline the cell says so (the row's method, called once).
    with time_machine.travel(notice.ack_due_at + timedelta(minutes=1), tick=False):
        # (a new sign-in: the session of two days ago has timed out)
        late = _table(browser_client("liaison-bank-icbc").get("/inbox/?tab=overdue").content.decode())
    assert 'class="overdue"' in late and "<strong>已逾期</strong>" in late
    client.cookies["django_language"] = "en"
    english = _table(client.get("/inbox/?tab=new").content.decode())
    assert 'data-label="Acknowledge by"' in english and "签收期限" not in english


@pytest.mark.django_db
def test_an_empty_inbox_says_so(browser_client):
    client = browser_client("liaison-tax")
    assert "暂无通知书。" in _table(client.get("/inbox/?tab=new").content.decode())
    client.cookies["django_language"] = "en"
    assert "No notices." in _table(client.get("/inbox/?tab=new").content.decode())


@pytest.mark.django_db
def test_a_release_notice_is_tagged(browser_client, make_case, issue, users, django_capture_on_commit_callbacks):
    from cases import services

    case = make_case()
    issue(case, "bank-icbc", "freeze")  # an open measure: concluding the case releases it (Art. 35)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
    assert Notice.objects.filter(case=case, kind="release", unit__code="bank-icbc").exists()
    rows = _table(browser_client("liaison-bank-icbc").get("/inbox/?tab=to_release").content.decode())
    assert '<span class="tag release">解除</span>' in rows


@pytest.mark.django_db
def test_a_case_row(browser_client, make_case, users):
    case = make_case(amount="1234567.5", listed_supervision=True, categories=["finance"])
    Case.objects.filter(pk=case.pk).update(title="<i>测试</i>")
    debtor = case.parties.get(role="debtor")
    rows = _table(browser_client("clerk").get("/cases/").content.decode())
    assert f'<a href="/cases/{case.pk}/">{case.number}</a> <span class="tag warn">挂牌督办</span>' in rows
    assert "&lt;i&gt;测试&lt;/i&gt;" in rows and '<span class="tag">涉金融</span>' in rows
    assert f"{debtor.name} <small class=\"muted\">{debtor.masked_id}</small>" in rows
    assert debtor.id_number not in rows and debtor.masked_id != debtor.id_number
    assert '<td class="num">1,234,567.50</td>' in rows
    assert f'<span class="status open">{case.get_status_display()}</span>' in rows


@pytest.mark.django_db
def test_no_cases_says_so(browser_client):
    client = browser_client("liaison-tax")
    assert "暂无案件。" in _table(client.get("/cases/?q=没有这样的案件").content.decode())


@pytest.mark.django_db
def test_the_ranking_table(browser_client, users, django_capture_on_commit_callbacks):
    from assessments import services

    today = timezone.localdate()
    period = services.period_create(actor=users["assessor"], name="2026年度", starts_on=today - timedelta(days=30),
                                    ends_on=today + timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        services.period_compute(actor=users["assessor"], period=period)
    client = browser_client("office")
    html = client.get(f"/assessment/periods/{period.pk}/").content.decode()
    table = _table(html, '<table id="ranking"')
    assert "<th>排名</th>" in table and 'id="total-score"' in table
    # Each figure links to its unit's evidence; a unit with no sample carries the flag, labelled.
    assert f'href="/assessment/periods/{period.pk}/units/bank-icbc/"' in table
    assert f'href="/assessment/periods/{period.pk}/units/bank-icbc/ack_on_time/"' in table
    # The links are built from the ranking's path, once per table: each is what reverse() gives.
    from django.urls import reverse

    from assessments.exports import indicator_columns
    from members.models import Unit

    for code in Unit.objects.filter(assessment_scores__period=period).values_list("code", flat=True):
        assert f'href="{reverse("assessments:unit", args=[period.pk, code])}"' in table
        for indicator, _label in indicator_columns(period):
            assert f'href="{reverse("assessments:evidence", args=[period.pk, code, indicator])}"' in table
    assert 'title="无样本：取中性值">!<span class="visually-hidden">无样本：取中性值</span>' in table
    assert "0/0" in table
    client.cookies["django_language"] = "en"
    english = _table(client.get(f"/assessment/periods/{period.pk}/").content.decode(), '<table id="ranking"')
    assert "<th>Rank</th>" in english and "No sample: neutral value" in english


@pytest.mark.django_db
def test_the_case_pages_notices(browser_client, make_case, issue):
    from django.urls import reverse

    from documents.models import IssuedDocument

    from .conftest import make_resident_id

    case = make_case()
    person = make_resident_id(77)
    notice = issue(case, "bank-icbc", "query", subject=f"查询{person}名下存款")
    html = browser_client("clerk").get(f"/cases/{case.pk}/").content.decode()
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert f'<a href="/notices/{notice.pk}/">{notice.number}</a>' in timeline
    assert person not in timeline and "查询4210" in timeline  # the identifier in the subject is masked
    assert '<ul class="events"><li><time datetime="' in timeline and "发出" in timeline
    docs = IssuedDocument.objects.filter(notice=notice)
    assert docs.exists()
    for doc in docs:
        assert f"<code>{doc.display_code}</code>" in timeline
        assert reverse("documents:verify-code", args=[doc.code]) in timeline
    empty = browser_client("clerk").get(f"/cases/{make_case().pk}/").content.decode()
    assert '<ol class="timeline">\n<li class="muted">尚未发出通知书。</li>\n</ol>' in empty
