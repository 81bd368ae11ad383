"""Acceptance walks of issue 31 in Chromium: the office sets a unit's WeCom robot and tests it, a notice the
clerk issues reaches that robot before the page answers; a liaison records leave with a deputy, who signs
in and acknowledges the unit's notice, recorded as done on the liaison's behalf (代为办理).

Playwright drives Debian's Chromium; the live server, seeding and sign-in are tests/test_browser.py's.
"""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case, Notice, NoticeEvent
from members.models import Absence, ActionType, Unit, User

from .conftest import make_resident_id, pdf_bytes
from .test_browser import _shot, _sign_in, page  # noqa: F401  (the live server, seeding and Chromium fixture)
from .test_channels import IDENTIFIER, FakeRobot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_sets_a_robot_and_a_new_notice_reaches_it(page, settings):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.DEBUG = True  # API.md: a loopback robot is accepted with DEBUG on
    robot = FakeRobot()
    try:
        _sign_in(page, "office")
        page.goto(page.base + "/channels/")
        page.get_by_label("成员单位").select_option(label="中国工商银行公安支行")
        page.get_by_label("类型").select_option("wecom")
        page.get_by_label("发送目标").fill(robot.url)
        page.get_by_role("button", name="添加", exact=True).click()
        expect(page.locator("ul.messages")).to_contain_text("渠道已添加")
        page.get_by_role("button", name="发送测试消息").click()
        expect(page.locator("ul.messages")).to_contain_text("测试消息已发送")
        assert len(robot.received) == 1
        _shot(page, "office-channels")

        clerk = User.objects.get(username="clerk")
        case = services.case_create(
            actor=clerk, number="(2026)鄂1022执8861号", title="赵六借款合同纠纷", amount="90000",
            parties=[{"role": "applicant", "name": "公安县某农资店", "id_number": make_resident_id(861)},
                     {"role": "debtor", "name": "赵六", "id_number": make_resident_id(862)}])
        _sign_in(page, "clerk")
        page.goto(page.base + f"/cases/{case.pk}/issue/")
        page.select_option("#pick-action", "freeze")
        page.wait_for_url("**/issue/?action=freeze")
        page.get_by_label("中国工商银行公安支行").check()
        page.locator("#id_subject").fill(f"冻结赵六（{make_resident_id(862)}）名下存款 90000 元")
        ruling = page.shots / "执行裁定书.pdf"
        ruling.write_bytes(pdf_bytes("执行裁定书"))
        page.set_input_files("#id_ruling", str(ruling))
        page.get_by_role("button", name="发出").click()
        page.wait_for_url(f"**/cases/{case.pk}/")
        notice = Notice.objects.get(case=case)
        # The robot had it when the clerk's page came back.
        assert len(robot.received) == 2
        text = robot.received[1]["json"]["markdown"]["content"]
        assert notice.number in text and Case.objects.get(pk=case.pk).number in text and "冻结" in text
        assert "赵六" not in text and not IDENTIFIER.search(text)
        _sign_in(page, "office")
        page.goto(page.base + "/channels/")
        page.get_by_role("link", name=re.compile("已发送")).first.click()
        expect(page.locator("table.channel-log")).to_contain_text(notice.number)
    finally:
        robot.close()


def test_a_deputy_acts_for_a_liaison_on_leave(page, settings):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = True
    police = Unit.objects.get(code="police")
    deputy = User.objects.create_user("police-duty", password="linkage-demo", unit=police, first_name="值班民警",
                                      last_name="周")
    today = timezone.localdate()

    _sign_in(page, "liaison-police")
    page.goto(page.base + "/absences/")
    page.get_by_label("请假开始日期").fill(today.isoformat())
    page.get_by_label("请假结束日期").fill((today + timedelta(days=4)).isoformat())
    page.get_by_label("代办人").select_option(str(deputy.pk))
    page.get_by_label("备注").fill("参加市局培训")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text("请假已登记")
    expect(page.locator("table.absences")).to_contain_text("周值班民警")
    _shot(page, "liaison-absences")
    assert Absence.objects.get().deputy == deputy

    clerk = User.objects.get(username="clerk")
    case = services.case_create(
        actor=clerk, number="(2026)鄂1022执8862号", title="钱七民间借贷纠纷", amount="50000",
        parties=[{"role": "applicant", "name": "孙八", "id_number": make_resident_id(863)},
                 {"role": "debtor", "name": "钱七", "id_number": make_resident_id(864)}])
    notice = services.notice_issue(actor=clerk, case=case, unit=police, action=ActionType.objects.get(code="locate"),
                                   subject="查找被执行人钱七下落")

    _sign_in(page, "police-duty")
    page.goto(page.base + "/inbox/?tab=new")
    page.get_by_role("link", name=notice.number).click()
    page.get_by_role("button", name="确认签收").click()
    page.wait_for_load_state()
    expect(page.locator("ol.events")).to_contain_text("代")
    event = NoticeEvent.objects.get(notice=notice, transition="acknowledge")
    assert event.actor == deputy and event.on_behalf_of.username == "liaison-police"

    _sign_in(page, "office")
    page.goto(page.base + "/absences/")
    expect(page.locator("table.absences")).to_contain_text("县公安局")
    _shot(page, "office-absences")


def test_the_demo_with_its_clock_moved_reminds_and_seals(page, settings, tmp_path):  # noqa: F811
    """``make demo``'s clocks (``run_clocks``: portal/clocks.py) with the clock moved on by time-machine in the
    test, not in the demo: a notice overdue overnight is reminded at 09:00 by e-mail and in the unit's WeCom
    group (the 08:30 digest), and a document whose sealing task was lost is sealed by the sweep; the
    case page shows it sealed."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine
    from django.core import mail

    from documents import seal
    from documents.models import IssuedDocument
    from members import channels
    from portal.clocks import Clocks

    shanghai = ZoneInfo("Asia/Shanghai")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.DEBUG = True
    ca, p12 = seal.make_ca(tmp_path / "seal", court_name="湖北省公安县人民法院", passphrase="walk-pass")
    settings.SEAL_PKCS12, settings.SEAL_PASSPHRASE, settings.SEAL_TRUST_ROOTS = str(p12), "walk-pass", [str(ca)]
    settings.SEAL_TSA_URL = ""
    settings.DOCUMENTS_SEAL_ON_ISSUE = False  # as if the sealing task had been lost
    robot = FakeRobot()
    try:
        tomorrow = timezone.localtime(timezone.now(), shanghai).date() + timedelta(days=1)
        at = lambda h, m=0: datetime(tomorrow.year, tomorrow.month, tomorrow.day, h, m, tzinfo=shanghai)  # noqa: E731
        clerk = User.objects.get(username="clerk")
        channels.channel_add(actor=User.objects.get(username="office"), unit=Unit.objects.get(code="bank-icbc"),
                             kind="wecom", target=robot.url)
        with time_machine.travel(at(7, 0), tick=False) as traveller:
            clocks = Clocks(path=tmp_path / "clocks.json")
            clocks.run_due()  # the demo starts: everything runs once
            case = services.case_create(
                actor=clerk, number="(2026)鄂1022执8863号", title="吴九租赁合同纠纷", amount="30000",
                parties=[{"role": "applicant", "name": "郑十", "id_number": make_resident_id(865)},
                         {"role": "debtor", "name": "吴九", "id_number": make_resident_id(866)}])
            from .conftest import case_ruling

            notice = services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code="bank-icbc"),
                                           action=ActionType.objects.get(code="freeze"), subject="冻结存款",
                                           ruling=case_ruling(case))
            Notice.objects.filter(pk=notice.pk).update(ack_due_at=at(7, 30))  # late by eight
            document = IssuedDocument.objects.get(notice=notice)
            assert document.status == "pending"
            _sign_in(page, "clerk")
            page.goto(page.base + f"/cases/{case.pk}/")
            expect(page.locator("body")).to_contain_text("签章中")
            robot.received.clear()
            mail.outbox.clear()

            traveller.move_to(at(9, 1))
            ran = clocks.run_due()
            assert ran["send-overdue-reminders"] >= 1 and ran["send-morning-digests"] >= 1
            assert ran["seal-pending-documents"] >= 1
            _sign_in(page, "clerk")  # two hours on: the idle session has ended, as it would
            page.goto(page.base + f"/cases/{case.pk}/")
            expect(page.locator("body")).to_contain_text("已加盖电子签章")
            assert "签章中" not in page.locator("body").inner_text()
        document.refresh_from_db()
        assert document.sealed
        assert any(notice.number in m.subject for m in mail.outbox)  # the 催办 e-mail
        digest = [r for r in robot.received if "今日待办" in r["json"]["markdown"]["content"]]
        assert len(digest) == 1 and notice.number in digest[0]["json"]["markdown"]["content"]
    finally:
        robot.close()
