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
from members.models import ActionType, Absence, Unit, User

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
