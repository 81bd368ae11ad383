"""A realistic month of work for the demo (``seed_demo --sample``, what ``make demo`` runs).

Everything is made through the services, as the people of the portal would make it, so every rule
holds (a freeze carries its ruling, a done freeze its amount, a conclusion releases what it must ...).
The services stamp the real time; the month is then laid out afterwards: each notice's events are
re-dated along a plausible timeline and the notice's own timestamps and deadlines follow its events,
so that what is overdue, on time or late is what the dates say.

Idempotent: the first sample case is the marker; when it exists, nothing is added.
"""
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

LOCAL = timezone.get_fixed_timezone(8 * 60)
FIRST_SERIAL = 1201
CASE_COUNT = 30

PEOPLE = ["张建华", "李秀兰", "王志强", "刘海燕", "陈国平", "杨丽娟", "赵文斌", "黄春梅", "周德明", "吴桂芳",
          "徐立新", "孙玉珍", "胡永刚", "朱晓红", "高建军", "林美玲", "何成林", "郭淑芬", "马俊杰", "罗彩霞"]
COMPANIES = [("公安县鑫源建材有限公司", "彭国庆"), ("湖北荆楚农业开发有限公司", "邓长江"),
             ("公安县恒通物流有限公司", "曹志远"), ("公安县锦绣置业有限公司", "谢宏伟"),
             ("荆州市长丰机械制造有限公司", "熊光明")]
CAUSES = ["民间借贷纠纷", "买卖合同纠纷", "劳动争议", "建设工程施工合同纠纷", "金融借款合同纠纷",
          "房屋租赁合同纠纷", "机动车交通事故责任纠纷", "追索劳动报酬纠纷"]
BANKS = ["bank-icbc", "bank-abc", "bank-ccb", "bank-boc"]
BASIS = ["湖北省公安县人民法院", "湖北省荆州市中级人民法院", "荆州仲裁委员会"]


def _resident_id(n: int, birth: str) -> str:
    from linkage.identity import resident_id_check_char

    first17 = f"421022{birth}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def _uscc(n: int) -> str:
    from linkage.identity import make_valid_uscc

    return make_valid_uscc("91421022", f"MA{n % 1_000_000:06d}")


def _pdf(title: str) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("执行裁定书.pdf", out.getvalue(), "application/pdf")


def case_number(serial: int, year: int) -> str:
    return f"（{year}）鄂1022执{serial}号"


def _workday(days_ago: int, hour: float) -> datetime:
    """A weekday ``days_ago`` days back (moved to the Friday before a weekend), at ``hour`` local time."""
    day = timezone.localdate() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    moment = datetime.combine(day, time(int(hour), int((hour % 1) * 60)), tzinfo=LOCAL)
    return moment


def _md(day) -> str:
    return f"{day.month}月{day.day}日"


def _cap(moment: datetime) -> datetime:
    latest = timezone.now() - timedelta(minutes=5)
    return min(moment, latest)


class _Sample:
    def __init__(self):
        from members.models import ActionType, Unit, User

        self.users = {u.username: u for u in User.objects.all()}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.actions = {a.code: a for a in ActionType.objects.all()}
        self.year = timezone.localdate().year
        self.rulings = {}

    def user(self, name):
        return self.users[name]

    def liaison(self, unit_code):
        return self.users[f"liaison-{unit_code}"]

    # ---------------------------------------------------------------- timing

    def retime(self, notice, start: datetime, hours: list[float]):
        """Re-date ``notice``'s events in order (event i at start + hours[i], the last hour repeated for
        any further event), then its timestamps and default deadlines from them."""
        from cases.deadlines import default_deadlines
        from cases.models import Notice, NoticeEvent

        events = list(NoticeEvent.objects.filter(notice=notice).order_by("at", "id"))
        stamps = {}
        for index, event in enumerate(events):
            h = hours[min(index, len(hours) - 1)] if hours else 0
            at = _cap(start + timedelta(hours=h))
            NoticeEvent.objects.filter(pk=event.pk).update(at=at)
            stamps.setdefault(event.transition, []).append(at)
        notice = Notice.objects.select_related("action").get(pk=notice.pk)
        issued = stamps.get("issue", [start])[0]
        fields = {"issued_at": issued}
        if notice.requests.filter(kind="extension", status="granted").exists():
            fields["ack_due_at"] = default_deadlines(notice.action, issued)[0]
        else:
            fields["ack_due_at"], fields["due_at"] = default_deadlines(notice.action, issued)
        for transition, field, which in (("deliver", "delivered_at", 0), ("acknowledge", "acknowledged_at", 0),
                                         ("answer", "answered_at", -1), ("close", "closed_at", -1),
                                         ("cancel", "cancelled_at", -1)):
            if getattr(notice, field) is not None and transition in stamps:
                fields[field] = stamps[transition][which]
        if notice.delivered_at is not None and "delivered_at" not in fields:
            fields["delivered_at"] = fields.get("acknowledged_at", issued + timedelta(minutes=2))
        if notice.paused_since is not None:
            requested = stamps.get("request_objection") or stamps.get("request_extension")
            if requested:
                fields["paused_since"] = requested[-1]
        Notice.objects.filter(pk=notice.pk).update(**fields)
        self._retime_measure(notice.pk)
        self._retime_requests(notice.pk, stamps)
        from cases.models import Delivery

        Delivery.objects.filter(notice_id=notice.pk, purpose="issue").update(created_at=issued)
        Delivery.objects.filter(notice_id=notice.pk, purpose="issue", sent_at__isnull=False).update(
            sent_at=issued + timedelta(minutes=1))

    def _retime_measure(self, notice_id):
        from cases.models import Measure, Notice
        from cases.terms import service_term

        notice = Notice.objects.select_related("action", "unit").get(pk=notice_id)
        for measure in Measure.objects.filter(notice=notice, starts_on__isnull=False):
            term = service_term(notice)  # from the day of service, as the register counts it
            if term is not None:
                Measure.objects.filter(pk=measure.pk).update(starts_on=term[0], expires_on=term[1])
        release = Measure.objects.filter(release_notice=notice, released_at__isnull=False)
        if notice.answered_at:
            release.update(released_at=notice.answered_at)

    def _retime_requests(self, notice_id, stamps):
        from cases.models import NoticeRequest

        for request in NoticeRequest.objects.filter(notice_id=notice_id):
            filed = stamps.get(f"request_{request.kind}")
            decided = stamps.get(f"decide_{request.kind}")
            fields = {}
            if filed:
                fields["filed_at"] = filed[-1]
            if decided and request.decided_at:
                fields["decided_at"] = decided[-1]
            if fields:
                NoticeRequest.objects.filter(pk=request.pk).update(**fields)

    # ---------------------------------------------------------------- cases and notices

    def case(self, i: int):
        from cases import services
        from cases.models import Case

        number = case_number(FIRST_SERIAL + i, self.year)
        if Case.objects.filter(number=number).exists():
            return None
        applicant = PEOPLE[i % len(PEOPLE)]
        if i % 4 == 1:
            company, rep = COMPANIES[(i // 4) % len(COMPANIES)]
            debtor = {"role": "debtor", "kind": "organization", "name": company, "id_number": _uscc(900 + i),
                      "legal_representative": rep}
            debtor_name = company
        else:
            debtor_name = PEOPLE[(i * 7 + 3) % len(PEOPLE)]
            if debtor_name == applicant:
                debtor_name = PEOPLE[(i * 7 + 4) % len(PEOPLE)]
            debtor = {"role": "debtor", "name": debtor_name,
                      "id_number": _resident_id(500 + i, f"19{70 + i % 25:02d}{1 + i % 12:02d}{10 + i % 18:02d}")}
        parties = [{"role": "applicant", "name": applicant,
                    "id_number": _resident_id(100 + i, f"19{60 + i % 30:02d}{1 + (i * 5) % 12:02d}{1 + i % 27:02d}")},
                   debtor]
        amount = Decimal(12000 + (i * 37_913) % 880_000) + Decimal(i % 100) / 100
        categories = {0: ["livelihood"], 3: ["migrant_wages"], 5: ["finance"], 8: ["hardship"],
                      12: ["gov_debtor"], 17: ["migrant_wages", "livelihood"], 21: ["farmland"]}.get(i, [])
        listed = i in (5, 12, 17)
        case = services.case_create(
            actor=self.user("clerk"), number=number, title=f"{applicant}与{debtor_name}{CAUSES[i % len(CAUSES)]}",
            amount=amount, parties=parties, categories=categories, listed_supervision=listed,
            responsible_leader="县法院副院长 刘志诚" if listed else "",
            basis_issuer=BASIS[i % len(BASIS)], basis_number=f"（{self.year - 1}）鄂1022民初{300 + i * 11}号",
            basis_date=timezone.localdate() - timedelta(days=90 + i * 3),
        )
        return case

    def ruling(self, case):
        from cases import services

        if case.pk not in self.rulings:
            self.rulings[case.pk] = services.ruling_store(actor=self.user("clerk"), case=case,
                                                          upload=_pdf(f"{case.number} 执行裁定书"))
        return self.rulings[case.pk]

    def issue(self, case, unit_code, action_code, subject, **kwargs):
        from cases import services

        if action_code in services.RULING_REQUIRED_ACTIONS:
            kwargs.setdefault("ruling", self.ruling(case))
        return services.notice_issue(actor=self.user("clerk"), case=case, unit=self.units[unit_code],
                                     action=self.actions[action_code], subject=subject, **kwargs)

    def progress(self, notice, state: str, *, amount=None, detail=""):
        """Move a notice to ``state``: delivered, acknowledged, answered (done), partial, unable, closed,
        cancelled."""
        from cases import services

        liaison = self.liaison(notice.unit.code)
        if state == "cancelled":
            return services.notice_cancel(actor=self.user("clerk"), notice=notice, note="申请执行人申请撤回该项协助请求")
        if state == "delivered":
            return notice
        notice = services.notice_acknowledge(actor=liaison, notice=notice)
        if state == "acknowledged":
            return notice
        outcome = {"partial": "partial", "unable": "unable"}.get(state, "done")
        code = notice.action.code
        if outcome == "unable":
            detail = detail or "经查询，被执行人在我单位无可供执行的财产。"
        elif outcome == "partial":
            detail = detail or "账户余额不足，已冻结现有余额，其余部分继续轮候。"
        else:
            detail = detail or {
                "query": "已查询，查询结果见附件回执。", "freeze": "已按通知冻结被执行人账户存款。",
                "seize": "已办理查封登记。", "restrict": "已录入限制措施。", "deduct": "已扣划至法院执行款专户。",
            }.get(code, "已按通知办理完毕。")
        if code in ("freeze", "deduct") and outcome != "unable" and amount is None:
            amount = Decimal(notice.case.amount) if outcome == "done" else (Decimal(notice.case.amount) / 3).quantize(
                Decimal("0.01"))
        notice = services.notice_answer(actor=liaison, notice=notice, outcome=outcome, detail=detail,
                                        result_amount=amount)
        if state == "closed":
            notice = services.notice_close(actor=self.user("clerk"), notice=notice)
        return notice

    # ---------------------------------------------------------------- the month

    HOURS = {  # event offsets from issue, in hours, per final state
        "delivered": [0, 0.05],
        "acknowledged": [0, 0.05, 3.5],
        "answered": [0, 0.05, 3.5, 50],
        "partial": [0, 0.05, 3.5, 70],
        "unable": [0, 0.05, 2, 26],
        "closed": [0, 0.05, 3.5, 50, 75],
        "cancelled": [0, 0.05, 28],
    }

    def cases(self):
        made = []
        for i in range(CASE_COUNT):
            case = self.case(i)
            if case is None:
                continue
            days_ago = 29 - i if i < 29 else 1
            start = _workday(days_ago, 9.5 + (i % 4) * 1.25)
            case.__class__.objects.filter(pk=case.pk).update(created_at=start - timedelta(hours=1))
            bank = BANKS[i % len(BANKS)]
            plan = [(bank, "query", "查询被执行人在本行开户及存款情况")]
            plan.append(("police", "query", "查询被执行人名下机动车及出入境证件信息"))
            if i % 3 != 2:
                plan.append(("natres", "query", "查询被执行人名下不动产登记情况"))
            if i % 2 == 0:
                plan.append((BANKS[(i + 1) % len(BANKS)], "freeze", "冻结被执行人名下银行存款"))
            if i % 5 == 0:
                plan.append(("natres", "seize", "查封被执行人名下位于公安县斗湖堤镇的住房一套"))
            if i % 7 == 3:
                plan.append(("police", "restrict", "限制被执行人出境"))
            if i % 6 == 4:
                plan.append(("tax", "query", "查询被执行人纳税记录及退税信息"))
            if i % 6 == 1:
                plan.append(("hrss", "query", "查询被执行人社会保险缴纳及待遇领取情况"))
            if i % 8 == 6:
                plan.append(("fund", "freeze", "冻结被执行人住房公积金账户"))
            if i % 9 == 2:
                plan.append(("market", "query", "查询被执行人股权登记信息"))
            for j, (unit, action, subject) in enumerate(plan):
                kwargs = {}
                if action == "freeze":
                    kwargs = dict(asset_kind="deposit" if unit.startswith("bank") else "fund",
                                  amount=Decimal(case.amount))
                notice = self.issue(case, unit, action, subject, **kwargs)
                state = self.state_for(i, j, days_ago, unit, action)
                notice = self.progress(notice, state)
                self.retime(notice, start + timedelta(minutes=5 * j), self.HOURS[state])
            made.append((i, case, start, days_ago))
        return made

    def state_for(self, i, j, days_ago, unit, action) -> str:
        if unit == "bank-boc" and days_ago > 3 and action == "query":
            return "delivered"  # the bank that does not sign: overdue, reminded, reported
        if days_ago <= 2:
            return ["delivered", "acknowledged"][(i + j) % 2]
        if days_ago <= 7:
            return ["acknowledged", "answered", "delivered", "answered"][(i + j) % 4]
        if action == "query" and (i + j) % 5 == 0:
            return "unable"
        if action == "freeze" and (i + j) % 4 == 1:
            return "partial"
        if (i + j) % 11 == 7:
            return "cancelled"
        return ["closed", "answered", "closed", "closed", "acknowledged"][(i + j) % 5]

    def specials(self, made):
        from cases import services
        from cases.models import Notice

        by_index = {i: (case, start, days_ago) for i, case, start, days_ago in made}
        # A concluded case (执行完毕): freeze and seizure executed, then released; one release confirmed,
        # one pending.
        if 0 in by_index:
            case, start, _d = by_index[0]
            result = services.case_conclude(actor=self.user("clerk"), case=case, outcome="completed",
                                            note="被执行人已全部履行，申请执行人确认")
            concluded = start + timedelta(days=9)
            case.__class__.objects.filter(pk=case.pk).update(concluded_at=_cap(concluded))
            for k, release in enumerate(sorted(result.release_notices, key=lambda r: r.pk)):
                if release.unit.code.startswith("bank"):
                    release = services.notice_acknowledge(actor=self.liaison(release.unit.code), notice=release)
                    release = services.notice_answer(actor=self.liaison(release.unit.code), notice=release,
                                                     outcome="done", detail="已解除冻结。")
                    self.retime(release, concluded + timedelta(minutes=10), [0, 0.05, 2, 20])
                else:
                    self.retime(release, concluded + timedelta(minutes=10 + k), [0, 0.05])
            for cancelled in result.cancelled_notices:
                self._retime_conclusion_event(cancelled, concluded)
        # 终结本次执行程序: nothing found; measures (if any) kept.
        if 1 in by_index:
            case, start, _d = by_index[1]
            for n in Notice.objects.filter(case=case, status__in=["issued", "delivered", "acknowledged"]):
                n = self.progress(n, "unable") if n.status != "acknowledged" else services.notice_answer(
                    actor=self.liaison(n.unit.code), notice=n, outcome="unable",
                    detail="经查询，被执行人在我单位无可供执行的财产。")
                self.retime(n, start, self.HOURS["unable"])
            # 终本规定 Art. 1: filed more than three months ago (registered here when enforcement began in
            # earnest), a 限制消费令 issued to the debtor, the rest vouched for by the clerk.
            from linkage.dates import add_months

            case.__class__.objects.filter(pk=case.pk).update(filed_on=add_months(timezone.localdate(), -5))
            self.restriction_issued(case)
            result = services.case_conclude(
                actor=self.user("clerk"), case=case, outcome="final_no_property",
                confirm=["notified", "investigated", "located", "applicant_heard", "listed"],
                note="执行通知书、报告财产令已于立案后送达；经网络执行查控系统及传统调查，未发现可供执行的财产；"
                     "被执行人下落明确，无妨害执行行为；已告知申请执行人并听取其意见，申请执行人同意终本")
            case.__class__.objects.filter(pk=case.pk).update(concluded_at=_cap(start + timedelta(days=12)))
        # An answer returned for correction (退回补正).
        if 2 in by_index:
            case, start, _d = by_index[2]
            bank = BANKS[3 % len(BANKS)]
            n = self.issue(case, bank, "freeze", "冻结被执行人在本行尾号8827账户的存款", ruling=self.ruling(case),
                           asset_kind="deposit", account="6222 0319 0700 8827", amount=Decimal("50000.00"))
            n = self.progress(n, "answered", amount=Decimal("50000.00"), detail="已冻结。")
            n = services.notice_return(actor=self.user("clerk"), notice=n,
                                       reason="回执未写明冻结账户及冻结期限，请补正后重新回执。")
            self.retime(n, start + timedelta(days=1), [0, 0.05, 2, 30, 52])
        # An objection (异议), pending; and an extension granted.
        if 3 in by_index:
            case, start, _d = by_index[3]
            n = self.issue(case, "market", "query", "查询被执行人名下企业股权及出资情况")
            n = self.progress(n, "acknowledged")
            services.notice_request_file(actor=self.liaison("market"), notice=n, kind="objection",
                                         grounds="该企业已于上年注销，股权登记信息不属我局现存档案，建议向档案馆调取。")
            self.retime(n, start + timedelta(days=2), [0, 0.05, 3, 20])
        if 4 in by_index:
            case, start, _d = by_index[4]
            n = self.issue(case, "civil", "query", "查询被执行人婚姻登记信息")
            n = self.progress(n, "acknowledged")
            request = services.notice_request_file(
                actor=self.liaison("civil"), notice=n, kind="extension", grounds="档案需从市档案馆调取，申请延期五个工作日。",
                requested_due_at=(timezone.localtime(n.due_at) + timedelta(days=7)).date().isoformat())
            services.notice_request_decide(actor=self.user("clerk"), request=request, grant=True, note="同意延期")
            self.retime(n, start + timedelta(days=1), [0, 0.05, 3, 24, 26])

    def restriction_issued(self, case):
        """A 限制消费令 for each debtor of ``case``: drafted, signed by the president, issued."""
        from cases.models import Party
        from credit import restrictions

        for n, party in enumerate(Party.objects.filter(case=case, role="debtor").order_by("id")):
            persons = ([{"role": "legal_rep", "name": party.legal_representative or "法定代表人",
                         "id_number": _resident_id(880 + n, "19700101")}] if party.kind == "organization" else [])
            order = restrictions.restriction_draft(actor=self.user("clerk"), case=case, party=party, persons=persons,
                                                   basis="被执行人未按执行通知履行法律文书确定的给付义务")
            restrictions.restriction_sign(actor=self.user("president"), order=order)
            restrictions.restriction_issue(actor=self.user("clerk"), order=order)

    def lifecycle(self, made):
        """The branches of enforcement (DOMAIN.md section 5, "Case lifecycle"): a preservation carried into
        its enforcement case, a settlement with an instalment overdue, a suspended case, a part payment."""
        from cases import services
        from cases.models import Case, Measure, Notice

        clerk = self.user("clerk")
        today = timezone.localdate()
        by_index = {i: (case, start) for i, case, start, _d in made}
        # 执保 → 执: a freeze and a seizure made in preservation, then taken over by the enforcement case
        # with their terms running on (民诉法解释 Art. 168); each unit gets one conversion letter.
        number = f"（{self.year}）鄂1022执保{FIRST_SERIAL + 60}号"
        if not Case.objects.filter(number=number).exists():
            applicant, debtor = "丁志勇", "公安县宏达商贸有限公司"
            parties = [{"role": "applicant", "name": applicant, "id_number": _resident_id(860, "19780516")},
                       {"role": "debtor", "kind": "organization", "name": debtor, "id_number": _uscc(960),
                        "legal_representative": "邱文斌"}]
            preservation = services.case_create(
                actor=clerk, number=number, title=f"{applicant}申请对{debtor}财产保全", amount=Decimal("286000.00"),
                parties=parties, basis_issuer="湖北省公安县人民法院",
                basis_number=f"（{self.year}）鄂1022民初{1680}号民事裁定书",
                filed_on=today - timedelta(days=26))
            start = _workday(25, 10)
            Case.objects.filter(pk=preservation.pk).update(created_at=start - timedelta(hours=1))
            for j, (unit, action, subject, kwargs) in enumerate([
                    ("bank-ccb", "freeze", "冻结被保全人在本行的对公账户存款",
                     dict(asset_kind="deposit", amount=Decimal("286000.00"))),
                    ("natres", "seize", "查封被保全人名下位于公安县斗湖堤镇的商铺一间", dict(asset_kind="real_estate"))]):
                notice = self.issue(preservation, unit, action, subject, **kwargs)
                notice = self.progress(notice, "closed", amount=Decimal("198500.00") if action == "freeze" else None)
                self.retime(notice, start + timedelta(minutes=5 * j), self.HOURS["closed"])
            services.case_conclude(actor=clerk, case=preservation, outcome="preservation_partial",
                                   note="冻结存款198,500.00元，查封商铺一间；保全金额未足额")
            Case.objects.filter(pk=preservation.pk).update(concluded_at=_cap(start + timedelta(days=4)))
            enforcement = services.case_create(
                actor=clerk, number=case_number(FIRST_SERIAL + 61, self.year), title=f"{applicant}与{debtor}买卖合同纠纷",
                amount=Decimal("286000.00"), parties=parties, basis_issuer="湖北省公安县人民法院",
                basis_number=f"（{self.year}）鄂1022民初{1680}号民事判决书",
                basis_date=today - timedelta(days=20), filed_on=today - timedelta(days=6),
                preservation_case=preservation.pk)
            Case.objects.filter(pk=enforcement.pk).update(created_at=_workday(6, 9))
            for letter in Notice.objects.filter(case=enforcement, kind="conversion"):
                self.retime(letter, _workday(6, 9.5), [0, 0.05])
        # A settlement (执行和解) with three instalments: the first paid, the second overdue, the third due.
        if 8 in by_index:
            case, start = by_index[8]
            signed = today - timedelta(days=24)
            amount = case.amount
            first = (amount / 4).quantize(Decimal("0.01"))
            second = (amount / 4).quantize(Decimal("0.01"))
            services.settlement_record(
                actor=clerk, case=case, signed_on=signed,
                terms=f"被执行人分三期履行：{_md(signed + timedelta(days=10))}前支付{first}元，"
                      f"{_md(today - timedelta(days=3))}前支付{second}元，余款于{_md(today + timedelta(days=25))}前付清；"
                      "申请执行人同意暂不申请冻结新的财产，已采取的措施继续保留。",
                instalments=[{"due_on": signed + timedelta(days=10), "amount": first},
                             {"due_on": today - timedelta(days=3), "amount": second},
                             {"due_on": today + timedelta(days=25), "amount": amount - first - second}])
            services.payment_record(actor=clerk, case=case, amount=first, received_on=signed + timedelta(days=9),
                                    way="paid", note="被执行人按和解协议交付第一期款项")
        # A suspended case (中止执行): a third party objects to the seizure of the house.
        if 10 in by_index:
            case, start = by_index[10]
            services.case_suspend(actor=clerk, case=case, kind="suspension", ground="third_party_objection",
                                  reason="案外人刘某主张被查封房屋系其所有，提出执行异议，经审查异议确有理由，本案中止执行。")
        # Part payment (执行款): a bank deducted part of the debt.
        if 14 in by_index:
            case, start = by_index[14]
            deduct = self.issue(case, "bank-icbc", "deduct", "扣划被执行人在本行账户的存款", amount=Decimal("30000.00"))
            deduct = self.progress(deduct, "closed", amount=Decimal("30000.00"))
            self.retime(deduct, start + timedelta(days=3), self.HOURS["closed"])
            services.payment_record(actor=clerk, case=case, amount=Decimal("30000.00"),
                                    received_on=today - timedelta(days=2),
                                    way="deduction", notice=deduct.pk, note="工商银行公安支行扣划至执行款专户")
        return Measure.objects.count()

    def _retime_conclusion_event(self, notice, when):
        from cases.models import Notice, NoticeEvent

        NoticeEvent.objects.filter(notice=notice, transition__in=["cancel", "close"]).update(at=_cap(when))
        Notice.objects.filter(pk=notice.pk, cancelled_at__isnull=False).update(cancelled_at=_cap(when))
        Notice.objects.filter(pk=notice.pk, closed_at__isnull=False,
                              events__transition="close").update(closed_at=_cap(when))

    def reminders(self):
        from cases import delivery

        for days in (4, 3, 2, 1):
            with transaction.atomic():
                delivery.queue_reminders(now=timezone.now() - timedelta(days=days))

    def credit(self, made):
        from cases.models import Party
        from credit import services as credit

        by_index = {i: case for i, case, _s, _d in made}
        case = by_index.get(5)
        if case is None:
            return
        party = Party.objects.get(case=case, role="debtor")
        persons = []
        if party.kind == "organization":
            persons = [{"role": "legal_rep", "name": party.legal_representative or "法定代表人",
                        "id_number": _resident_id(778, "19720815")},
                       {"role": "responsible", "name": "石建国", "id_number": _resident_id(777, "19750312")}]
        entry = credit.credit_entry_create(actor=self.user("clerk"), case=case, party=party,
                                           ground="able_refuses", persons=persons)
        # 失信规定 Art. 5: proposed by the clerk, decided by the president (决定书), served, then published;
        # the decision drafts the debtor's consumption restriction (限高规定 Art. 1 para. 2), which the
        # president signs and the clerk issues.
        from credit import decisions, restrictions
        from credit.models import ConsumptionRestriction

        decisions.credit_entry_propose(
            actor=self.user("clerk"), entry=entry, facts="被执行人名下有租金收入，经多次责令仍拒不履行给付义务。",
            warning=f"{case.number}执行通知书（{(timezone.localdate() - timedelta(days=25)).month}月"
                    f"{(timezone.localdate() - timedelta(days=25)).day}日送达）")
        decisions.credit_entry_decide(actor=self.user("president"), entry=entry)
        decisions.credit_entry_service(actor=self.user("clerk"), entry=entry, way="direct",
                                       served_on=timezone.localdate())
        credit.credit_entry_publish(actor=self.user("clerk"), entry=entry)
        order = ConsumptionRestriction.objects.filter(party=party, status="draft").first()
        if order is not None:
            restrictions.restriction_sign(actor=self.user("president"), order=order)
            restrictions.restriction_issue(actor=self.user("clerk"), order=order)
        # A listing proposed and waiting for the president (his to-do).
        waiting = by_index.get(7)
        if waiting is not None:
            debtor = Party.objects.filter(case=waiting, role="debtor").order_by("id").first()
            pending = credit.credit_entry_create(actor=self.user("clerk"), case=waiting, party=debtor,
                                                 ground="able_refuses")
            decisions.credit_entry_propose(actor=self.user("clerk"), entry=pending,
                                           facts="被执行人有稳定工资收入，拒不申报财产，亦不履行。",
                                           warning=f"{waiting.number}执行通知书")
        # A consumption restriction order drafted by the clerk, waiting for the president's signature
        # (限高规定 Art. 5): the president's to-do.
        other = by_index.get(6)
        if other is not None:
            from credit import restrictions

            restrictions.restriction_draft(actor=self.user("clerk"), case=other,
                                           party=Party.objects.filter(case=other, role="debtor").order_by("id").first(),
                                           basis="被执行人未按执行通知履行法律文书确定的给付义务")

    def report(self):
        from assessments import services
        from cases.models import Notice

        overdue = [n for n in Notice.objects.filter(unit=self.units["bank-boc"], status__in=["issued", "delivered"], kind="assist")
                   if n.ack_due_at < timezone.now()]
        if not overdue:
            return None
        report = services.report_file(
            actor=self.user("clerk"), unit=self.units["bank-boc"], kind="passive",
            detail=f"中国银行公安支行对本院发出的{len(overdue)}份协助查询通知书逾期未签收，经多次催办仍未反馈。",
            notices=overdue[:5])
        services.report_answer(actor=self.liaison("bank-boc"), report=report,
                               detail="因我行联络员岗位调整，交接不及时，已指定专人负责，三日内全部反馈。")
        return report

    def conference(self, made):
        from conferences import services
        from conferences.models import ActionItem, AgendaItem, ConferenceEvent, Invitation, Meeting, Minutes

        by_index = {i: case for i, case, _s, _d in made}
        key = [by_index[i] for i in (5, 17) if i in by_index]
        office, convener = self.user("office"), self.user("convener")
        item = services.agenda_item_propose(
            actor=office, title="协调查控被执行人名下车辆及不动产", reason="multi_unit", cases=key,
            units=["police", "natres", "market"],
            description="被执行人拒不履行，名下车辆下落不明，不动产涉及多个登记机关，需公安、自然资源、市场监管协同处置。")
        services.agenda_item_approve(actor=convener, item=item, comment="同意提交联席会议研究。")
        pending = services.agenda_item_propose(
            actor=office, title="拖欠农民工工资案件集中执行", reason="stability",
            cases=[by_index[i] for i in (3,) if i in by_index], units=["hrss", "police"],
            description="春节前集中执行一批拖欠农民工工资案件，涉及人数较多，可能影响社会稳定。")
        starts = _workday(8, 15)
        meeting = services.meeting_create(actor=office, title="公安县执行工作联席会议第三次全体会议", kind="regular",
                                          starts_at=starts, agenda_items=[item], place="县人民法院三楼第一会议室")
        for invitation in Invitation.objects.filter(meeting=meeting).select_related("unit"):
            services.invitation_confirm(actor=self.liaison(invitation.unit.code), invitation=invitation,
                                        attendees=f"{invitation.unit.name}分管负责人、联络员")
        due_past = (timezone.localdate() - timedelta(days=2)).isoformat()
        due_future = (timezone.localdate() + timedelta(days=10)).isoformat()
        minutes = services.minutes_draft(actor=office, meeting=meeting, summary=(
            "会议听取了县人民法院关于近期执行工作情况的报告，研究了协调查控被执行人名下车辆及不动产的议题。"), decisions=[
            {"text": "县公安局对被执行人名下车辆实施查找、扣押，并将结果反馈县人民法院。", "unit": "police",
             "due_at": due_past, "agenda_item": item.pk},
            {"text": "县自然资源和规划局协助办理被执行人名下不动产查封及轮候查封登记。", "unit": "natres",
             "due_at": due_future, "agenda_item": item.pk},
            {"text": "县市场监督管理局协助查询、冻结被执行人持有的股权。", "unit": "market", "due_at": due_future,
             "agenda_item": item.pk},
            {"text": "各成员单位进一步落实联络员制度，协助执行通知书一律在规定期限内签收反馈。"},
        ])
        minutes = services.minutes_issue(actor=convener, minutes=minutes)
        natres = ActionItem.objects.get(minutes=minutes, unit=self.units["natres"])
        services.action_item_report(actor=self.liaison("natres"), item=natres,
                                    detail="已完成两处不动产的查封登记，另一处轮候查封正在办理。")
        market = ActionItem.objects.get(minutes=minutes, unit=self.units["market"])
        services.action_item_report(actor=self.liaison("market"), item=market, detail="已冻结被执行人持有的全部股权。")
        services.action_item_close(actor=office, item=market, note="已核实。")
        # The timeline: proposed, approved, scheduled, held, minutes issued, reports.
        proposed, approved, scheduled = _workday(13, 10), _workday(12, 16), _workday(11, 9)
        issued = _workday(7, 10)
        AgendaItem.objects.filter(pk=item.pk).update(proposed_at=proposed, decided_at=approved)
        AgendaItem.objects.filter(pk=pending.pk).update(proposed_at=_workday(2, 11))
        ConferenceEvent.objects.filter(agenda_item=pending).update(at=_workday(2, 11))
        for transition, at in (("propose", proposed), ("approve", approved), ("settle", issued)):
            ConferenceEvent.objects.filter(agenda_item=item, transition=transition).update(at=at)
        Meeting.objects.filter(pk=meeting.pk).update(created_at=scheduled)
        ConferenceEvent.objects.filter(meeting=meeting, transition="schedule").update(at=scheduled)
        ConferenceEvent.objects.filter(meeting=meeting, transition="hold").update(at=issued)
        Invitation.objects.filter(meeting=meeting).update(notified_at=scheduled + timedelta(minutes=1),
                                                          confirmed_at=scheduled + timedelta(hours=5))
        ConferenceEvent.objects.filter(invitation__meeting=meeting).update(at=scheduled + timedelta(hours=5))
        Minutes.objects.filter(pk=minutes.pk).update(drafted_at=starts + timedelta(hours=20), issued_at=issued)
        ConferenceEvent.objects.filter(minutes=minutes, transition="draft").update(at=starts + timedelta(hours=20))
        ConferenceEvent.objects.filter(minutes=minutes, transition="issue").update(at=issued)
        ConferenceEvent.objects.filter(action_item__minutes=minutes, transition="assign").update(at=issued)
        reported = _cap(_workday(3, 15))
        ConferenceEvent.objects.filter(action_item__minutes=minutes, transition="report").update(at=reported)
        ConferenceEvent.objects.filter(action_item=market, transition="close").update(at=_cap(_workday(2, 10)))
        ActionItem.objects.filter(pk=market.pk).update(closed_at=_cap(_workday(2, 10)))

    def assessment(self):
        from assessments import services

        today = timezone.localdate()
        # Last month's period: over, computed, not yet finalised (the assessor's to-do).
        ended = services.period_create(actor=self.user("assessor"), name=f"{today:%Y}年上期考评",
                                       starts_on=today - timedelta(days=61), ends_on=today - timedelta(days=31))
        services.period_compute(actor=self.user("assessor"), period=ended)
        first = today - timedelta(days=30)
        period = services.period_create(actor=self.user("assessor"), name=f"{today:%Y}年{today.month}月考评",
                                        starts_on=first, ends_on=today)
        services.period_compute(actor=self.user("assessor"), period=period)
        return period


def marker_exists() -> bool:
    from cases.models import Case

    return Case.objects.filter(number=case_number(FIRST_SERIAL, timezone.localdate().year)).exists()


def seed_sample() -> dict:
    """Add the demo month once (see the module docstring); returns what was added."""
    if marker_exists():
        return {}
    import logging

    from cases.models import Case, Notice

    before_cases, before_notices = Case.objects.count(), Notice.objects.count()
    trace = logging.getLogger("celery.app.trace")  # one line per in-process task otherwise
    level = trace.level
    trace.setLevel(logging.WARNING)
    # Documents are registered unsealed while the month is laid out (each would be sealed in its own
    # on-commit task, before its dates are moved) and sealed together at the end; e-mail to the liaisons
    # stays in memory.
    seal = getattr(settings, "DOCUMENTS_SEAL_ON_ISSUE", True)
    with override_settings(DOCUMENTS_SEAL_ON_ISSUE=False,
                           EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        sample = _Sample()
        made = sample.cases()
        sample.specials(made)
        sample.lifecycle(made)
        sample.credit(made)
        sample.reminders()
        sample.report()
        sample.conference(made)
        sample.assessment()
    trace.setLevel(level)
    added = {"cases": Case.objects.count() - before_cases, "notices": Notice.objects.count() - before_notices}
    if seal:
        added["sealed"] = seal_seeded_documents()
    return added


def seal_seeded_documents() -> int:
    """Seal every document the seed left pending, now (as issuing does where documents are sealed on
    issue), so that no seeded document reads 签章中 until a sweep comes by."""
    from documents.models import DocumentStatus, IssuedDocument
    from documents.services import seal_pending

    pending = IssuedDocument.objects.filter(status=DocumentStatus.PENDING).count()
    return seal_pending(limit=pending) if pending else 0


__all__ = ["seed_sample", "marker_exists", "seal_seeded_documents"]
