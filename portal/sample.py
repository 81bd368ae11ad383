"""A realistic month of work for the demo (``seed_demo --sample``, what ``make demo`` runs).

Everything is made through the services, as the people of the portal would make it, so every rule
holds (a freeze carries its ruling, a done freeze its amount, a conclusion releases what it must ...).
The services stamp the real time; the month is then laid out afterwards: each notice's events are
re-dated along a plausible timeline and the notice's own timestamps and deadlines follow its events,
so that what is overdue, on time or late is what the dates say. Every other row the seed leaves (case
events, suspensions, payments, rulings, documents, deliveries, the dishonest list, the meeting, the
report, the assessment periods) is dated after the thing it belongs to, in working hours (8:30 to
17:30 of a Chinese working day, Asia/Shanghai) and never later than the last working moment before
the seed ran. Only the documents' seals (signed and stored when the seed ends) and the audit log keep
the real time. What the services would do on commit (deliveries, the list's pushes, meeting notices,
a period's scores) is done in place before the dates are laid out, as ``make demo`` sees it happen; a
test that holds on-commit work back and runs it afterwards gets the periods recomputed at that moment.

Idempotent: the first sample case is the marker; when it exists, nothing is added.
"""
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

LOCAL = ZoneInfo("Asia/Shanghai")
OPENS, CLOSES = time(8, 30), time(17, 30)  # the working day of a county office
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
# 执行依据: who made it, and the number it carries. A basic court's first-instance judgment bears its own
# code (鄂1022 民初), an appeal judgment the intermediate court's (鄂10 民终: 荆州市中级人民法院), an
# arbitration award the commission's own numbering (荆仲裁字); months from the filing of that case to its
# document, for the year in the number.
BASIS = [("湖北省公安县人民法院", "（{year}）鄂1022民初{n}号民事判决书", 120, 300, 11),
         ("湖北省荆州市中级人民法院", "（{year}）鄂10民终{n}号民事判决书", 60, 1500, 7),
         ("荆州仲裁委员会", "（{year}）荆仲裁字第{n}号裁决书", 45, 100, 3)]

# Who attends a plenary meeting for each unit: the leader's post (the liaison comes too).
POSTS = {"plc": "县委常委、政法委书记", "discipline": "县纪委副书记、县监委副主任", "organization": "县委组织部副部长",
         "publicity": "县委宣传部副部长", "court": "县人民法院院长", "procuratorate": "县人民检察院副检察长",
         "police": "县公安局副局长", "gov_office": "县政府办公室副主任", "civilization": "县文明办副主任",
         "fund": "县住房公积金管理办事处副主任", "regulator": "县银监办副主任", "pboc": "人行公安支行副行长"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["卫东", "红梅", "建新", "晓燕", "国庆", "丽华", "志勇", "春林", "明辉", "慧敏", "海涛", "玉兰", "勇军", "静",
         "文华", "亚平", "新民", "雪梅", "振华", "晓东", "莉", "德胜", "爱华", "光荣", "少华", "婷", "俊峰", "凤英",
         "永红", "家兴", "小平", "桂兰", "立群", "红霞", "兴旺", "艳", "学军", "秀珍", "长青", "欣"]


def _person(k: int) -> str:
    """A plausible name, the k-th of a fixed sequence (no two alike for k < 400)."""
    return SURNAMES[k % len(SURNAMES)] + GIVEN[(k * 7 + k // len(SURNAMES)) % len(GIVEN)]


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


def basis_for(i: int, basis_date: date) -> tuple[str, str]:
    """The 执行依据 of the month's i-th case: (issuer, number), the number of the issuer's own kind."""
    issuer, pattern, lead_days, first, step = BASIS[i % len(BASIS)]
    year = (basis_date - timedelta(days=lead_days)).year
    return issuer, pattern.format(year=year, n=first + i * step)


def _md(day) -> str:
    return f"{day.month}月{day.day}日"


def _top(model) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def _clock(hour: float) -> time:
    return time(int(hour), int(round((hour % 1) * 60)))


class _Sample:
    def __init__(self):
        from cases.models import HolidayOverride
        from members.models import ActionType, Unit, User

        self.users = {u.username: u for u in User.objects.all()}
        self.units = {u.code: u for u in Unit.objects.all()}
        self.actions = {a.code: a for a in ActionType.objects.all()}
        self.today = timezone.localdate()
        self.year = self.today.year
        self.rulings = {}
        self.overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
        self.latest = self._latest()

    def user(self, name):
        return self.users[name]

    def liaison(self, unit_code):
        return self.users[f"liaison-{unit_code}"]

    # ---------------------------------------------------------------- working days and hours

    def is_workday(self, day: date) -> bool:
        from cases.deadlines import is_workday

        return is_workday(day, self.overrides)

    def workday_on_or_before(self, day: date) -> date:
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def _latest(self) -> datetime:
        """The last working moment before now (less five minutes): nothing the seed dates is later."""
        now = timezone.localtime(timezone.now() - timedelta(minutes=5), LOCAL)
        day, clock = now.date(), now.time()
        if self.is_workday(day) and OPENS <= clock <= CLOSES:
            return now
        if not (self.is_workday(day) and clock > CLOSES):
            day = self.workday_on_or_before(day - timedelta(days=1))
        return datetime.combine(day, CLOSES, tzinfo=LOCAL)

    def local(self, day: date, hour: float) -> datetime:
        return datetime.combine(day, _clock(hour), tzinfo=LOCAL)

    def workday(self, days_ago: int, hour: float) -> datetime:
        """``days_ago`` calendar days back (moved to the working day before a weekend or holiday), at
        ``hour``; never later than ``latest``."""
        day = self.workday_on_or_before(self.today - timedelta(days=days_ago))
        return min(self.local(day, hour), self.latest)

    def wd(self, n: int, hour: float) -> datetime:
        """The ``n``-th working day before today, at ``hour``: n = 1, 2, ... never share a day."""
        day = self.today
        for _ in range(n):
            day = self.workday_on_or_before(day - timedelta(days=1))
        return min(self.local(day, hour), self.latest)

    def at(self, moment: datetime) -> datetime:
        """``moment`` if it falls in working hours, else the next working morning (kept a little apart by
        its minute); never later than ``latest``."""
        local = moment.astimezone(LOCAL)
        day, clock = local.date(), local.time()
        if not (self.is_workday(day) and OPENS <= clock <= CLOSES):
            target = day if (self.is_workday(day) and clock < OPENS) else self.next_workday(day)
            local = datetime.combine(target, OPENS, tzinfo=LOCAL) + timedelta(minutes=5 + local.minute % 30)
        return min(local, self.latest)

    # ---------------------------------------------------------------- timing

    def deliver(self):
        """Send what is queued now, as the on-commit delivery does in the demo (a test that holds the
        on-commit work back would otherwise have notices delivered after the month is laid out)."""
        from cases import delivery

        delivery.sweep(older_than=timedelta(0))

    def retime(self, notice, start: datetime, hours: list[float]):
        """Re-date ``notice``'s events in order (event i at start + hours[i], the last hour repeated for
        any further event, moved into working hours and never before the event before it), then its
        timestamps and default deadlines from them."""
        from cases.deadlines import default_deadlines
        from cases.models import Delivery, Notice, NoticeEvent

        events = list(NoticeEvent.objects.filter(notice=notice).order_by("at", "id"))
        stamps = {}
        previous = None
        for index, event in enumerate(events):
            h = hours[min(index, len(hours) - 1)] if hours else 0
            at = self.at(start + timedelta(hours=h))
            if previous is not None and at < previous:
                at = previous
            previous = at
            NoticeEvent.objects.filter(pk=event.pk).update(at=at)
            stamps.setdefault(event.transition, []).append(at)
        notice = Notice.objects.select_related("action").get(pk=notice.pk)
        issued = stamps.get("issue", [self.at(start)])[0]
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
        Delivery.objects.filter(notice_id=notice.pk, purpose="issue").update(created_at=issued)
        Delivery.objects.filter(notice_id=notice.pk, purpose="issue", sent_at__isnull=False).update(
            sent_at=min(issued + timedelta(minutes=1), self.latest))

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

    def retime_new_notices(self, since_pk: int, start: datetime, hours=(0, 0.05)):
        """Re-date the notices made since ``since_pk`` (a system's notices: an order's, the list's pushes)."""
        from cases.models import Notice

        self.deliver()
        for k, notice in enumerate(Notice.objects.filter(pk__gt=since_pk).order_by("pk")):
            self.retime(notice, start + timedelta(minutes=k % 5), list(hours))

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
        basis_date = self.workday_on_or_before(self.today - timedelta(days=90 + i * 3))
        issuer, basis_number = basis_for(i, basis_date)
        case = services.case_create(
            actor=self.user("clerk"), number=number, title=f"{applicant}与{debtor_name}{CAUSES[i % len(CAUSES)]}",
            amount=amount, parties=parties, categories=categories, listed_supervision=listed,
            responsible_leader="县法院副院长 刘志诚" if listed else "",
            basis_issuer=issuer, basis_number=basis_number, basis_date=basis_date,
        )
        return case

    def ruling(self, case):
        from cases import services

        if case.pk not in self.rulings:
            self.rulings[case.pk] = services.ruling_store(actor=self.user("clerk"), case=case,
                                                          upload=_pdf(f"{case.number} 执行裁定书"))
        return self.rulings[case.pk]

    def issue(self, case, unit_code, action_code, subject, **kwargs):
        """Issue a notice and send it, as the on-commit delivery does."""
        from cases import services
        from cases.models import Notice

        if action_code in services.RULING_REQUIRED_ACTIONS:
            kwargs.setdefault("ruling", self.ruling(case))
        notice = services.notice_issue(actor=self.user("clerk"), case=case, unit=self.units[unit_code],
                                       action=self.actions[action_code], subject=subject, **kwargs)
        self.deliver()
        return Notice.objects.get(pk=notice.pk)

    def progress(self, notice, state: str, *, amount=None, detail=""):
        """Move a notice to ``state``: delivered, acknowledged, answered (done), partial, unable, closed,
        cancelled. A freeze done freezes what the notice asked for, a partial one a third of it."""
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
            asked = Decimal(notice.amount if notice.amount is not None else notice.case.amount)
            amount = asked if outcome == "done" else (asked / 3).quantize(Decimal("0.01"))
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
    # Money a case keeps out of its freezes: a second freeze made later (case 2) and a deduction (case 14).
    RESERVED = {2: Decimal("50000.00"), 14: Decimal("30000.00")}

    def freeze_amounts(self, i, case, plan) -> dict[int, Decimal]:
        """What each freeze of the plan asks for: together never more than the debt (less what is kept
        for later), the bank taking three fifths where the housing fund is frozen too."""
        available = Decimal(case.amount) - self.RESERVED.get(i, Decimal("0"))
        freezes = [j for j, (_u, action, _s) in enumerate(plan) if action == "freeze"]
        if len(freezes) <= 1:
            return {j: available for j in freezes}
        first = (available * 3 / 5).quantize(Decimal("0.01"))
        shares = {freezes[0]: first}
        rest = available - first
        for j in freezes[1:]:
            shares[j] = rest
            rest = Decimal("0")
        return shares

    def cases(self):
        made = []
        for i in range(CASE_COUNT):
            case = self.case(i)
            if case is None:
                continue
            days_ago = 29 - i if i < 29 else 1
            start = self.workday(days_ago, 9.5 + (i % 4) * 1.25)
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
            shares = self.freeze_amounts(i, case, plan)
            for j, (unit, action, subject) in enumerate(plan):
                kwargs = {}
                if action == "freeze":
                    kwargs = dict(asset_kind="deposit" if unit.startswith("bank") else "fund", amount=shares[j])
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
            self.deliver()
            concluded = self.at(start + timedelta(days=9))
            case.__class__.objects.filter(pk=case.pk).update(concluded_at=concluded)
            for k, release in enumerate(sorted(result.release_notices, key=lambda r: r.pk)):
                if release.unit.code.startswith("bank"):
                    release = services.notice_acknowledge(actor=self.liaison(release.unit.code), notice=release)
                    release = services.notice_answer(actor=self.liaison(release.unit.code), notice=release,
                                                     outcome="done", detail="已解除冻结。")
                    self.retime(release, concluded + timedelta(minutes=10), [0, 0.05, 2, 20])
                else:
                    self.retime(release, concluded + timedelta(minutes=10 + k), [0, 0.05])
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

            case.__class__.objects.filter(pk=case.pk).update(filed_on=add_months(self.today, -5))
            ordered = self.restriction_issued(case, self.at(start + timedelta(days=10)))
            result = services.case_conclude(
                actor=self.user("clerk"), case=case, outcome="final_no_property",
                confirm=["notified", "investigated", "located", "applicant_heard", "listed"],
                note="执行通知书、报告财产令已于立案后送达；经网络执行查控系统及传统调查，未发现可供执行的财产；"
                     "被执行人下落明确，无妨害执行行为；已告知申请执行人并听取其意见，申请执行人同意终本")
            self.deliver()
            case.__class__.objects.filter(pk=case.pk).update(
                concluded_at=self.at(max(start + timedelta(days=12), ordered + timedelta(hours=3))))
        # An answer returned for correction (退回补正).
        if 2 in by_index:
            case, start, _d = by_index[2]
            bank = BANKS[3 % len(BANKS)]
            n = self.issue(case, bank, "freeze", "冻结被执行人在本行尾号8827账户的存款", ruling=self.ruling(case),
                           asset_kind="deposit", account="6222 0319 0700 8827", amount=self.RESERVED[2])
            n = self.progress(n, "answered", amount=self.RESERVED[2], detail="已冻结。")
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

    def restriction_issued(self, case, when: datetime):
        """A 限制消费令 for each debtor of ``case``: drafted, signed by the president, issued; dated from
        ``when`` (drafted), signed two hours later, issued the next working morning; returns when."""
        from cases.models import Notice, Party
        from credit import restrictions
        from credit.models import ConsumptionRestriction, RestrictionEvent

        issued = when
        for n, party in enumerate(Party.objects.filter(case=case, role="debtor").order_by("id")):
            persons = ([{"role": "legal_rep", "name": party.legal_representative or "法定代表人",
                         "id_number": _resident_id(880 + n, "19700101")}] if party.kind == "organization" else [])
            order = restrictions.restriction_draft(actor=self.user("clerk"), case=case, party=party, persons=persons,
                                                   basis="被执行人未按执行通知履行法律文书确定的给付义务")
            restrictions.restriction_sign(actor=self.user("president"), order=order)
            mark = _top(Notice)
            restrictions.restriction_issue(actor=self.user("clerk"), order=order)
            signed = self.at(when + timedelta(hours=2))
            issued = self.at(datetime.combine(self.next_workday(signed.date()), time(9, 10), tzinfo=LOCAL))
            ConsumptionRestriction.objects.filter(pk=order.pk).update(created_at=when, signed_at=signed,
                                                                      issued_at=issued)
            for transition, at in (("draft", when), ("sign", signed), ("issue", issued)):
                RestrictionEvent.objects.filter(order=order, transition=transition).update(at=at)
            self.retime_new_notices(mark, issued)
        return issued

    def lifecycle(self, made):
        """The branches of enforcement (DOMAIN.md section 5, "Case lifecycle"): a preservation carried into
        its enforcement case, a settlement with an instalment overdue, a suspended case, a part payment."""
        from cases import services
        from cases.models import Case, Notice, Payment, Settlement, Suspension

        clerk = self.user("clerk")
        today = self.today
        by_index = {i: (case, start) for i, case, start, _d in made}
        # 执保 → 执: a freeze and a seizure made in preservation, then taken over by the enforcement case
        # with their terms running on (民诉法解释 Art. 168); each unit gets one conversion letter. The basis of
        # both is the first-instance case's: its preservation ruling, then its judgment.
        number = f"（{self.year}）鄂1022执保{FIRST_SERIAL + 60}号"
        if not Case.objects.filter(number=number).exists():
            applicant, debtor = "丁志勇", "公安县宏达商贸有限公司"
            parties = [{"role": "applicant", "name": applicant, "id_number": _resident_id(860, "19780516")},
                       {"role": "debtor", "kind": "organization", "name": debtor, "id_number": _uscc(960),
                        "legal_representative": "邱文斌"}]
            trial = f"（{(today - timedelta(days=60)).year}）鄂1022民初1680号"
            start = self.workday(25, 10)
            preservation = services.case_create(
                actor=clerk, number=number, title=f"{applicant}申请对{debtor}财产保全", amount=Decimal("286000.00"),
                parties=parties, basis_issuer="湖北省公安县人民法院", basis_number=f"{trial}民事裁定书",
                filed_on=start.date())
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
            Case.objects.filter(pk=preservation.pk).update(concluded_at=self.at(start + timedelta(days=4)))
            registered = self.workday(6, 9)
            enforcement = services.case_create(
                actor=clerk, number=case_number(FIRST_SERIAL + 61, self.year), title=f"{applicant}与{debtor}买卖合同纠纷",
                amount=Decimal("286000.00"), parties=parties, basis_issuer="湖北省公安县人民法院",
                basis_number=f"{trial}民事判决书", basis_date=self.workday_on_or_before(today - timedelta(days=20)),
                filed_on=registered.date(), preservation_case=preservation.pk)
            self.deliver()
            Case.objects.filter(pk=enforcement.pk).update(created_at=registered)
            for letter in Notice.objects.filter(case=enforcement, kind="conversion"):
                self.retime(letter, registered + timedelta(minutes=30), [0, 0.05])
        # A settlement (执行和解) with three instalments: the first paid, the second overdue, the third due.
        if 8 in by_index:
            case, start = by_index[8]
            signed = start.date()
            for _ in range(3):
                signed = self.next_workday(signed)
            signed = min(signed, self.workday_on_or_before(today - timedelta(days=14)))
            paid_on = self.workday_on_or_before(signed + timedelta(days=9))
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
            recorded = self.local(signed, 16)
            Settlement.objects.filter(case=case).update(recorded_at=recorded)
            Suspension.objects.filter(case=case).update(started_at=recorded)
            services.payment_record(actor=clerk, case=case, amount=first, received_on=paid_on,
                                    way="paid", note="被执行人按和解协议交付第一期款项")
            Payment.objects.filter(case=case).update(recorded_at=self.local(paid_on, 15))
        # A suspended case (中止执行): a third party objects to the seizure of the house.
        if 10 in by_index:
            case, start = by_index[10]
            services.case_suspend(actor=clerk, case=case, kind="suspension", ground="third_party_objection",
                                  reason="案外人刘某主张被查封房屋系其所有，提出执行异议，经审查异议确有理由，本案中止执行。")
            Suspension.objects.filter(case=case).update(started_at=self.at(start + timedelta(days=8)))
        # Part payment (执行款): a bank deducted part of the debt.
        if 14 in by_index:
            case, start = by_index[14]
            deduct = self.issue(case, "bank-icbc", "deduct", "扣划被执行人在本行账户的存款", amount=self.RESERVED[14])
            deduct = self.progress(deduct, "closed", amount=self.RESERVED[14])
            self.retime(deduct, start + timedelta(days=3), self.HOURS["closed"])
            answered = Notice.objects.get(pk=deduct.pk).answered_at
            services.payment_record(actor=clerk, case=case, amount=self.RESERVED[14],
                                    received_on=timezone.localtime(answered, LOCAL).date(),
                                    way="deduction", notice=deduct.pk, note="工商银行公安支行扣划至执行款专户")
            Payment.objects.filter(case=case).update(recorded_at=self.at(answered + timedelta(hours=1)))

    def reminders(self):
        """A reminder (催办) each of the last four working mornings for what was overdue then."""
        from cases import delivery

        for n in (4, 3, 2, 1):
            with transaction.atomic():
                delivery.queue_reminders(now=self.wd(n, 8.5))
        self.deliver()

    def credit(self, made):
        """A debtor listed (proposed, decided by the president, served, published, pushed to the units) with
        the consumption restriction the decision drafts, signed and issued; a listing waiting for the
        president; a restriction order waiting for his signature."""
        from cases.models import Notice, Party
        from credit import decisions, restrictions
        from credit import rules as credit_rules
        from credit import services as credit
        from credit.models import (
            ConsumptionRestriction,
            CreditEntry,
            CreditEvent,
            CreditPush,
            Decision,
            RestrictionEvent,
        )

        by_index = {i: (case, start) for i, case, start, _d in made}
        if 5 not in by_index:
            return
        case, start = by_index[5]
        party = Party.objects.get(case=case, role="debtor")
        persons = []
        if party.kind == "organization":
            persons = [{"role": "legal_rep", "name": party.legal_representative or "法定代表人",
                        "id_number": _resident_id(778, "19720815")},
                       {"role": "responsible", "name": "石建国", "id_number": _resident_id(777, "19750312")}]
        proposed, decided, signed = self.wd(9, 9.5), self.wd(8, 15), self.wd(8, 16)
        served, issued, published = self.wd(7, 10), self.wd(7, 11), self.wd(6, 10)
        entry = credit.credit_entry_create(actor=self.user("clerk"), case=case, party=party,
                                           ground="able_refuses", persons=persons)
        # 失信规定 Art. 5: proposed by the clerk, decided by the president (决定书), served, then published;
        # the decision drafts the debtor's consumption restriction (限高规定 Art. 1 para. 2), which the
        # president signs and the clerk issues.
        warned = self.next_workday(start.date())
        decisions.credit_entry_propose(
            actor=self.user("clerk"), entry=entry, facts="被执行人名下有租金收入，经多次责令仍拒不履行给付义务。",
            warning=f"{case.number}执行通知书（{_md(warned)}送达）")
        decisions.credit_entry_decide(actor=self.user("president"), entry=entry)
        decisions.credit_entry_service(actor=self.user("clerk"), entry=entry, way="direct", served_on=self.today)
        mark = _top(Notice)
        credit.credit_entry_publish(actor=self.user("clerk"), entry=entry)
        credit.credit_sync(entry.pk)  # as the on-commit task does: the pushes to the units
        self.retime_new_notices(mark, published)
        order = ConsumptionRestriction.objects.filter(party=party, status="draft").first()
        if order is not None:
            restrictions.restriction_sign(actor=self.user("president"), order=order)
            mark = _top(Notice)
            restrictions.restriction_issue(actor=self.user("clerk"), order=order)
            self.retime_new_notices(mark, issued)
            ConsumptionRestriction.objects.filter(pk=order.pk).update(created_at=decided, signed_at=signed,
                                                                      issued_at=issued)
            for transition, at in (("draft", decided), ("sign", signed), ("issue", issued)):
                RestrictionEvent.objects.filter(order=order, transition=transition).update(at=at)
        entry = CreditEntry.objects.get(pk=entry.pk)
        CreditEntry.objects.filter(pk=entry.pk).update(
            created_at=proposed, decided_on=decided.date(), published_at=published, first_published_at=published,
            expires_on=credit_rules.expiry(published.date(), entry.period_years, entry.extension_years))
        for transition, at in (("create", proposed), ("propose", proposed), ("decide", decided), ("serve", served),
                               ("publish", published)):
            CreditEvent.objects.filter(entry=entry, transition=transition).update(at=at)
        Decision.objects.filter(entry=entry).update(proposed_at=proposed, decided_at=decided, served_on=served.date())
        CreditPush.objects.filter(entry=entry).update(created_at=published)
        # A listing proposed and waiting for the president (his to-do).
        if 7 in by_index:
            waiting, _start = by_index[7]
            debtor = Party.objects.filter(case=waiting, role="debtor").order_by("id").first()
            pending = credit.credit_entry_create(actor=self.user("clerk"), case=waiting, party=debtor,
                                                 ground="able_refuses")
            decisions.credit_entry_propose(actor=self.user("clerk"), entry=pending,
                                           facts="被执行人有稳定工资收入，拒不申报财产，亦不履行。",
                                           warning=f"{waiting.number}执行通知书")
            at = self.wd(2, 10.5)
            CreditEntry.objects.filter(pk=pending.pk).update(created_at=at)
            CreditEvent.objects.filter(entry=pending).update(at=at)
            Decision.objects.filter(entry=pending).update(proposed_at=at)
        # A consumption restriction order drafted by the clerk, waiting for the president's signature
        # (限高规定 Art. 5): the president's to-do.
        if 6 in by_index:
            other, _start = by_index[6]
            order = restrictions.restriction_draft(
                actor=self.user("clerk"), case=other,
                party=Party.objects.filter(case=other, role="debtor").order_by("id").first(),
                basis="被执行人未按执行通知履行法律文书确定的给付义务")
            at = self.wd(1, 16)
            ConsumptionRestriction.objects.filter(pk=order.pk).update(created_at=at)
            RestrictionEvent.objects.filter(order=order).update(at=at)

    def report(self):
        from assessments import services
        from assessments.models import AssessmentEvent, NonCooperationReport
        from cases.models import Notice

        filed, answered = self.wd(2, 10), self.wd(1, 11)
        overdue = [n for n in Notice.objects.filter(unit=self.units["bank-boc"], status__in=["issued", "delivered"],
                                                    kind="assist").order_by("issued_at")
                   if n.ack_due_at < filed][:5]  # D23: the report cites what it counts
        if not overdue:
            return None
        report = services.report_file(
            actor=self.user("clerk"), unit=self.units["bank-boc"], kind="passive",
            detail=f"中国银行公安支行对本院发出的{len(overdue)}份协助查询通知书逾期未签收，经多次催办仍未反馈。",
            notices=overdue)
        services.report_answer(actor=self.liaison("bank-boc"), report=report,
                               detail="因我行联络员岗位调整，交接不及时，已指定专人负责，三日内全部反馈。")
        NonCooperationReport.objects.filter(pk=report.pk).update(filed_at=filed, answered_at=answered)
        AssessmentEvent.objects.filter(report=report, transition="file").update(at=filed)
        AssessmentEvent.objects.filter(report=report, transition="answer").update(at=answered)
        return report

    def attendees(self, unit, k: int) -> str:
        """Who attends for ``unit``: its leader by post and name, and its liaison."""
        if unit.code == "court":
            president = self.users.get("president")
            name = (president.last_name + president.first_name) if president else _person(k)
            return f"县人民法院院长{name}、执行局局长{_person(k + 200)}、联络员{_person(k + 300)}"
        post = POSTS.get(unit.code)
        if post is None:
            post = f"{unit.name}副行长" if unit.code.startswith("bank") else f"{unit.name}副局长"
        return f"{post}{_person(k)}、联络员{_person(k + 300)}"

    def conference(self, made):
        """The third plenary meeting of the joint conference: every member unit invited, the convener in the
        chair, the court's work report heard, a matter of three units decided; minutes issued, action items
        reported on."""
        from conferences import notify, services
        from conferences.models import (
            ActionItem,
            ActionReport,
            AgendaItem,
            ConferenceEvent,
            Invitation,
            Meeting,
            MeetingReport,
            Minutes,
        )
        from members.court_keys import home_court_id
        from members.models import Unit

        by_index = {i: case for i, case, _s, _d in made}
        office, convener = self.user("office"), self.user("convener")
        members = list(Unit.objects.active().of_court(home_court_id()).order_by("sort_order", "code"))
        # The timeline, in working days before today: proposed, approved, scheduled (invitations out and
        # answered over two days), held, minutes drafted and issued (the work report fixed), reports.
        proposed, approved, scheduled = self.wd(10, 10), self.wd(9, 16), self.wd(8, 9)
        # Two key cases (listed, or in a key category) registered before the matter was put forward.
        started = {i: start for i, _case, start, _d in made}
        key = [by_index[i] for i in (5, 12, 17, 21, 8)
               if i in by_index and started[i] < proposed - timedelta(days=1)][:2]
        starts, drafted, issued = self.wd(6, 14.5), self.wd(5, 16), self.wd(4, 10)
        plenary = services.agenda_item_propose(
            actor=office, title="听取县人民法院执行工作情况通报，部署下一阶段执行联动工作", reason="other",
            units=[u.code for u in members],
            description="全体会议例行议题：县人民法院通报近期执行工作及协助执行通知书办理情况，各成员单位交流落实情况，"
                        "研究部署下一阶段执行联动工作。")
        services.agenda_item_approve(actor=convener, item=plenary, comment="同意列入全体会议议程。")
        item = services.agenda_item_propose(
            actor=office, title="协调查控被执行人名下车辆及不动产", reason="multi_unit", cases=key,
            units=["police", "natres", "market"],
            description="被执行人拒不履行，名下车辆下落不明，不动产涉及多个登记机关，需公安、自然资源、市场监管协同处置。")
        services.agenda_item_approve(actor=convener, item=item, comment="同意提交联席会议研究。")
        pending = services.agenda_item_propose(
            actor=office, title="拖欠农民工工资案件集中执行", reason="stability",
            cases=[by_index[i] for i in (3,) if i in by_index], units=["hrss", "police"],
            description="集中执行一批拖欠农民工工资案件，涉及人数较多，可能影响社会稳定。")
        meeting = services.meeting_create(actor=office, title="公安县执行工作联席会议第三次全体会议", kind="regular",
                                          starts_at=starts, agenda_items=[plenary, item], place="县人民法院三楼第一会议室")
        notify.send_invitations(meeting.pk)  # as the on-commit task does
        invitations = list(Invitation.objects.filter(meeting=meeting).select_related("unit"))
        # The convener (县委政法委) chairs: the name its invitation gives its leader.
        chair = _person(next((k for k, inv in enumerate(invitations) if inv.unit.code == "plc"), 0))
        for k, invitation in enumerate(invitations):
            services.invitation_confirm(actor=self.liaison(invitation.unit.code), invitation=invitation,
                                        attendees=self.attendees(invitation.unit, k))
            # Answered over the day the invitations went out and the morning after.
            confirmed = self.at(scheduled + timedelta(hours=1 + k * 0.6))
            Invitation.objects.filter(pk=invitation.pk).update(notified_at=self.at(scheduled + timedelta(minutes=1)),
                                                               confirmed_at=confirmed)
            ConferenceEvent.objects.filter(invitation=invitation).update(at=confirmed)
        due_past = self.wd(1, 12).date().isoformat()
        due_future = (self.today + timedelta(days=10)).isoformat()
        minutes = services.minutes_draft(actor=office, meeting=meeting, summary=(
            f"会议由联席会议召集人、县委常委、政法委书记{chair}主持，{len(invitations)}家成员单位负责同志及联络员出席。"
            "会议听取了县人民法院关于近期执行工作情况的通报，研究了协调查控被执行人名下车辆及不动产的议题。"), decisions=[
            {"text": "县公安局对被执行人名下车辆实施查找、扣押，并将结果反馈县人民法院。", "unit": "police",
             "due_at": due_past, "agenda_item": item.pk},
            {"text": "县自然资源和规划局协助办理被执行人名下不动产查封及轮候查封登记。", "unit": "natres",
             "due_at": due_future, "agenda_item": item.pk},
            {"text": "县市场监督管理局协助查询、冻结被执行人持有的股权。", "unit": "market", "due_at": due_future,
             "agenda_item": item.pk},
            {"text": "各成员单位进一步落实联络员制度，协助执行通知书一律在规定期限内签收反馈。", "agenda_item": plenary.pk},
        ])
        minutes = services.minutes_issue(actor=convener, minutes=minutes)
        notify.send_action_items(list(ActionItem.objects.filter(minutes=minutes).values_list("pk", flat=True)))
        market = ActionItem.objects.get(minutes=minutes, unit=self.units["market"])
        services.action_item_report(actor=self.liaison("market"), item=market, detail="已冻结被执行人持有的全部股权。")
        services.action_item_close(actor=office, item=market, note="已核实。")
        natres = ActionItem.objects.get(minutes=minutes, unit=self.units["natres"])
        services.action_item_report(actor=self.liaison("natres"), item=natres,
                                    detail="已完成两处不动产的查封登记，另一处轮候查封正在办理。")
        # The timeline.
        market_reported, market_closed, natres_reported = self.wd(3, 11), self.wd(2, 10), self.wd(1, 15)
        for agenda, at_proposed, at_decided in ((plenary, proposed - timedelta(minutes=30), approved),
                                                (item, proposed, approved + timedelta(minutes=10))):
            AgendaItem.objects.filter(pk=agenda.pk).update(proposed_at=at_proposed, decided_at=at_decided)
            for transition, at in (("propose", at_proposed), ("approve", at_decided), ("settle", issued)):
                ConferenceEvent.objects.filter(agenda_item=agenda, transition=transition).update(at=at)
        AgendaItem.objects.filter(pk=pending.pk).update(proposed_at=self.wd(2, 11))
        ConferenceEvent.objects.filter(agenda_item=pending).update(at=self.wd(2, 11))
        Meeting.objects.filter(pk=meeting.pk).update(created_at=scheduled)
        ConferenceEvent.objects.filter(meeting=meeting, transition="schedule").update(at=scheduled)
        ConferenceEvent.objects.filter(meeting=meeting, transition="hold").update(at=issued)
        Minutes.objects.filter(pk=minutes.pk).update(drafted_at=drafted, issued_at=issued)
        ConferenceEvent.objects.filter(minutes=minutes, transition="draft").update(at=drafted)
        ConferenceEvent.objects.filter(minutes=minutes, transition="issue").update(at=issued)
        ConferenceEvent.objects.filter(action_item__minutes=minutes, transition="assign").update(at=issued)
        ConferenceEvent.objects.filter(action_item__minutes=minutes, transition="notify").update(
            at=self.at(issued + timedelta(minutes=1)))
        # The court's work report was fixed when the meeting was held (its minutes issued), as of its start.
        MeetingReport.objects.filter(meeting=meeting).update(frozen_at=issued)
        for action, reported in ((market, market_reported), (natres, natres_reported)):
            ActionReport.objects.filter(action_item=action).update(at=reported)
            ConferenceEvent.objects.filter(action_item=action, transition="report").update(at=reported)
        ConferenceEvent.objects.filter(action_item=market, transition="close").update(at=market_closed)
        ActionItem.objects.filter(pk=market.pk).update(closed_at=market_closed)

    def assessment(self):
        """Last month's period, over, computed, waiting to be finalised (the assessor's to-do); this month's,
        running, computed as of the last working moment. Periods are named by their month ("2026年11月"):
        the pages add "考评" themselves."""
        from assessments import services
        from assessments.models import AssessmentEvent, AssessmentPeriod, AssessmentScore

        first = self.today.replace(day=1)
        last_month_end = first - timedelta(days=1)
        last_month = last_month_end.replace(day=1)
        month_end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        assessor = self.user("assessor")
        made = []
        for starts_on, ends_on, computed in (
                (last_month, last_month_end, self.at(self.local(first, 9.5))),
                (first, month_end, self.latest)):
            created = min(self.at(self.local(starts_on, 9)), computed)
            period = services.period_create(actor=assessor, name=f"{starts_on.year}年{starts_on.month}月",
                                            starts_on=starts_on, ends_on=ends_on)
            services.period_compute(actor=assessor, period=period)
            # The task's body, at the moment the assessor asked (the on-commit task, where it ran, reads now).
            services.scores_refresh(period_id=period.pk, now=computed)
            AssessmentPeriod.objects.filter(pk=period.pk).update(
                created_at=created, compute_requested_at=computed, computed_at=computed)
            AssessmentScore.objects.filter(period=period).update(computed_at=computed)
            AssessmentEvent.objects.filter(period=period, transition="create").update(at=created)
            AssessmentEvent.objects.filter(period=period, transition="compute").update(at=computed)
            made.append(period)
        return made[-1]

    # ---------------------------------------------------------------- what the services stamped "now"

    def settle(self, began: datetime):
        """Date what the services stamped while the seed ran (anything at or after ``began``) after the
        thing it belongs to: case events, notices moved by a conclusion or a suspension, deliveries,
        rulings, issued documents; and the demo accounts' liaison posts from before the month."""
        from cases.models import (
            Attachment,
            Case,
            CaseEvent,
            Delivery,
            Notice,
            NoticeEvent,
            Payment,
            Suspension,
        )
        from credit.models import ConsumptionRestriction, Decision
        from documents.models import IssuedDocument
        from members.models import LiaisonAssignment, User

        self.deliver()
        # Notices closed or cancelled by their case's conclusion, paused by its suspension.
        for case in Case.objects.filter(concluded_at__isnull=False):
            events = NoticeEvent.objects.filter(notice__case=case, at__gte=began, transition__in=["close", "cancel"])
            for event in events.select_related("notice"):
                field = "closed_at" if event.transition == "close" else "cancelled_at"
                Notice.objects.filter(pk=event.notice_id).update(**{field: case.concluded_at})
            events.update(at=case.concluded_at)
        for suspension in Suspension.objects.all():
            NoticeEvent.objects.filter(notice__case_id=suspension.case_id, at__gte=began,
                                       transition="pause").update(at=suspension.started_at)
            Notice.objects.filter(case_id=suspension.case_id, paused_since__gte=began).update(
                paused_since=suspension.started_at)
        # Case events: registered, concluded, suspended, paid, carried over / taken over.
        for case in Case.objects.all():
            payments = list(Payment.objects.filter(case=case).order_by("id").values_list("recorded_at", flat=True))
            suspension = Suspension.objects.filter(case=case).order_by("-id").first()
            taken = Case.objects.filter(preservation_case=case).first()
            for event in CaseEvent.objects.filter(case=case, at__gte=began).order_by("id"):
                at = {"register": case.created_at, "conclude": case.concluded_at,
                      "suspend": suspension.started_at if suspension else None,
                      "payment": payments.pop(0) if event.transition == "payment" and payments else None,
                      "carry_over": taken.created_at + timedelta(minutes=20) if taken else None,
                      "take_over": case.created_at + timedelta(minutes=20),
                      }.get(event.transition) or case.created_at
                CaseEvent.objects.filter(pk=event.pk).update(at=at)
        # Rulings: an uploaded one just before the first notice that cites it; a drawn-up one when made.
        for ruling in Attachment.objects.filter(uploaded_at__gte=began).select_related("case"):
            first = Notice.objects.filter(ruling=ruling).order_by("issued_at").values_list("issued_at", flat=True).first()
            suspension = Suspension.objects.filter(ruling=ruling).first()
            decision = Decision.objects.filter(document=ruling).first()
            if first is not None:
                at = first - timedelta(minutes=10)
            elif suspension is not None:
                at = suspension.started_at
            elif decision is not None and decision.decided_at:
                at = decision.decided_at
            elif ruling.case.concluded_at and ruling.ruling_kind in ("release", "final_no_property"):
                at = ruling.case.concluded_at
            else:
                at = ruling.case.created_at + timedelta(minutes=30)
            Attachment.objects.filter(pk=ruling.pk).update(uploaded_at=at)
        # Deliveries: a notice when it was issued, a cancellation when cancelled, a return when returned, a
        # reminder on the morning it was sent.
        for row in Delivery.objects.filter(created_at__gte=began).select_related("notice"):
            notice = row.notice
            at = None
            if row.purpose == "issue":
                at = notice.issued_at
            elif row.purpose == "cancel":
                at = notice.cancelled_at
            elif row.purpose.startswith("return-"):
                at = (NoticeEvent.objects.filter(notice=notice, transition="return").order_by("-at")
                      .values_list("at", flat=True).first())
            elif row.purpose.startswith("remind-"):
                stamp = row.purpose.rsplit("-", 1)[-1]
                at = self.local(date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])), 8.5)
            at = at or NoticeEvent.objects.filter(notice=notice).order_by("-at").values_list("at", flat=True).first()
            Delivery.objects.filter(pk=row.pk).update(
                created_at=at, sent_at=max(at, min(at + timedelta(minutes=1), self.latest)) if row.sent_at else None)
        # Issued documents are dated as what they record (the PDF prints that date when sealed).
        orders = dict(ConsumptionRestriction.objects.filter(document__isnull=False)
                      .values_list("document_id", "signed_at"))
        for document in IssuedDocument.objects.filter(issued_at__gte=began).select_related("notice", "minutes",
                                                                                           "ruling"):
            at = None
            if document.kind == "receipt" and document.notice is not None:
                at = document.notice.acknowledged_at
            elif document.notice is not None:
                at = document.notice.issued_at
            elif document.minutes is not None:
                at = document.minutes.issued_at
            elif document.ruling is not None:
                at = document.ruling.uploaded_at
            elif document.pk in orders:
                at = orders[document.pk]
            if at is not None:
                IssuedDocument.objects.filter(pk=document.pk).update(issued_at=at)
        # The demo accounts held their posts before the month began.
        before = self.wd(60, 9)
        LiaisonAssignment.objects.filter(started_at__gte=before, ended_at__isnull=True).update(started_at=before)
        User.objects.filter(date_joined__gte=before).update(date_joined=before)


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
    began = timezone.now()
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
        sample.settle(began)
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


__all__ = ["seed_sample", "marker_exists", "seal_seeded_documents", "basis_for"]
