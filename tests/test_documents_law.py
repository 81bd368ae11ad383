"""The notice documents against the court's own style (人民法院执行文书样式: 协助执行通知书, 协助执行回执).

Each document is fetched through the real PDF route, as the target unit's liaison, and read back with
``pdftotext``. ``WRITE_DOC_IMAGES=1`` also writes docs/img/notice-document.png and release-document.png
(``pdftoppm -png -r 60``); without it the test checks that the committed images are A4 pages.
"""
import io
import os
import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Attachment, AttachmentPurpose, Measure, Notice
from linkage import dates
from linkage.dates import cn_date, cn_date_upper
from members.models import ActionType, Unit

from .conftest import pdf_bytes

DOCS_IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
BASIS = dict(basis_issuer="湖北省公安县人民法院", basis_number="（2026）鄂1022民初456号民事判决书",
             basis_date=date(2026, 3, 1))


def _pdf_text(content: bytes, tmp_path, name="doc.pdf", layout=True) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pages(content: bytes) -> list[str]:
    from pypdf import PdfReader

    return [_flat(page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages]


def _ruling(case, users, seq, title="执行裁定书"):
    return Attachment.objects.create(
        case=case, purpose=AttachmentPurpose.RULING, file=ContentFile(pdf_bytes(), name="ruling.pdf"),
        original_name="ruling.pdf", size=100, sha256="0" * 64, uploaded_by=users["clerk"], title=title,
        ruling_seq=seq)


@pytest.fixture
def officer(users):
    clerk = users["clerk"]
    clerk.last_name, clerk.first_name, clerk.phone = "王", "立新", "0716-5221234"
    clerk.save(update_fields=["last_name", "first_name", "phone"])
    return clerk


@pytest.fixture
def freeze_notice(make_case, issue, users, officer):
    """A freeze at a bank, about the first of a case's two debtors, with its ruling."""
    case = make_case(debtors=2, **BASIS)
    debtors = list(case.parties.filter(role="debtor").order_by("id"))
    ruling = _ruling(case, users, 1)
    notice = issue(case, "bank-icbc", "freeze", subject="冻结被执行人在你行开立的全部账户内存款", ruling=ruling,
                   party=debtors[0])
    return notice, debtors


def _get_pdf(browser_client, username, notice):
    response = browser_client(username).get(f"/notices/{notice.pk}/document.pdf")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response


def test_seeded_actions_carry_the_2023_civil_procedure_law_articles(db):
    basis = dict(ActionType.objects.values_list("code", "legal_basis"))
    law = "《中华人民共和国民事诉讼法》"
    assert basis["freeze"] == f"{law}第二百五十三条、第二百五十五条"
    assert basis["deduct"] == f"{law}第二百五十三条、第二百五十四条"
    assert basis["seize"] == f"{law}第二百五十五条"
    assert basis["transfer"] == f"{law}第二百六十二条"
    assert basis["restrict"] == f"{law}第二百六十六条"
    assert all(basis[code] for code in ("query", "freeze", "deduct", "seize", "transfer", "restrict", "locate",
                                        "dispatch", "publicize", "relief", "coordinate", "mediate",
                                        "refer_crime"))


def test_the_data_migration_fills_only_blank_rows(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("members.migrations.0005_action_legal_basis")
    ActionType.objects.filter(code="restrict").update(legal_basis="")
    ActionType.objects.filter(code="seize").update(legal_basis="本院自定依据")
    migration.fill(apps, None)
    assert ActionType.objects.get(code="restrict").legal_basis.endswith("第二百六十六条")
    assert ActionType.objects.get(code="seize").legal_basis == "本院自定依据"


@pytest.mark.dates
def test_the_assistance_notice_shows_every_element_of_the_court_style(browser_client, freeze_notice, tmp_path):
    notice, (concerned, other) = freeze_notice
    case = notice.case
    response = _get_pdf(browser_client, "liaison-bank-icbc", notice)
    layout = _pdf_text(response.content, tmp_path)
    text = _flat(layout)
    lines = [line.strip() for line in layout.splitlines() if line.strip()]

    assert "湖北省公安县人民法院" in text and "协助执行通知书" in text
    # the document's number is the case number, full-width brackets; the portal serial is its own line
    assert case.number.startswith("（2026）鄂1022执") and case.number in lines
    assert f"编号：{notice.number}" in lines and notice.number == f"{case.number}-001"
    applicant = case.parties.get(role="applicant")
    assert f"本院受理的申请执行人{applicant.name}与被执行人{concerned.name}执行一案" in text
    assert "执行依据湖北省公安县人民法院于2026年3月1日作出的（2026）鄂1022民初456号民事判决书已经发生法律效力" in text
    assert "依照《中华人民共和国民事诉讼法》第二百五十三条、第二百五十五条的规定" in text
    assert f"本院已作出{case.number}之一执行裁定书" in text
    assert f"附：{case.number}之一执行裁定书" in text
    assert "冻结：冻结被执行人在你行开立的全部账户内存款" in text
    # only the debtor concerned, with the full identifier the bank must act on
    assert concerned.name in text and concerned.id_number in text
    assert other.name not in text and other.id_number not in text
    assert "二、冻结金额以人民币100,000.00元为限；" in text
    # the term: one year for a deposit, running from service (查封扣押冻结规定 Art. 1); the dates are those of
    # the proof of service, which the register reads too (one date, one rule)
    assert "冻结期限为一年，自本通知书送达之日起计算" in text and "起止日期以送达回证载明的为准" in text
    assert f"于{cn_date(notice.ack_due_at)}前签收" in text and f"于{cn_date(notice.due_at)}前" in text
    assert "本院经办人：王立新，联系电话：0716-5221234" in text
    # the seal place: court name and date (二〇二六年…) with room for the seal
    assert "（院印）" in text and cn_date_upper(dates.local_date(notice.issued_at)) in text
    # the reply slip after the cut line
    assert "裁剪线" in text and "协助执行回执" in text
    assert f"你院{case.number}协助执行通知书（编号：{notice.number}）已收悉" in text
    for blank in ("执行情况", "冻结/扣划金额（元）", "账户/财产", "生效日期", "经办人", "联系电话",
                  "协助执行单位（盖章）"):
        assert blank in text
    assert "已无必要" not in text and "公安县人民法院" in text
    # Chinese file name (RFC 5987) with an ASCII fallback
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert f'filename="notice-{notice.pk}.pdf"' in disposition
    assert "filename*=UTF-8''" + quote(f"协助执行通知书{notice.number}.pdf", safe="") in disposition


def test_an_amount_in_the_subject_replaces_the_case_amount_limit(browser_client, make_case, issue, users, tmp_path):
    case = make_case(**BASIS)
    notice = issue(case, "bank-icbc", "freeze", subject="冻结被执行人账户存款人民币5万元", ruling=_ruling(case, users, 1))
    text = _flat(_pdf_text(_get_pdf(browser_client, "liaison-bank-icbc", notice).content, tmp_path))
    assert "为限" not in text and "人民币5万元" in text


def _release_for(notice, users, *, ground, ruling):
    measure = Measure.objects.create(
        case=notice.case, unit=notice.unit, action=notice.action, notice=notice, party=notice.party,
        asset="中国工商银行账户6222020000000000001内存款", asset_kind="deposit", amount=Decimal("35000.00"),
        starts_on=date(2026, 12, 2), expires_on=date(2027, 12, 1))
    seq = notice.case.notices.count() + 1
    now = timezone.now()
    release = Notice.objects.create(
        case=notice.case, unit=notice.unit, action=notice.action, kind="release", original=notice,
        party=notice.party, release_ground=ground, ruling=ruling, seq=seq, number=f"{notice.case.number}-{seq:03d}",
        subject=f"解除冻结：{measure.asset}（通知书{notice.number}）", issued_by=users["clerk"], issued_at=now,
        ack_due_at=now + timedelta(days=1), due_at=now + timedelta(days=3))
    measure.release_notice = release
    measure.save(update_fields=["release_notice"])
    return release


def test_the_release_notice_names_its_ground_its_ruling_and_the_measure(browser_client, freeze_notice, users,
                                                                         tmp_path):
    notice, (concerned, other) = freeze_notice
    case = notice.case
    release = _release_for(notice, users, ground="debt_paid", ruling=_ruling(case, users, 2, "解除冻结裁定书"))
    response = _get_pdf(browser_client, "liaison-bank-icbc", release)
    text = _flat(_pdf_text(response.content, tmp_path))
    assert "湖北省公安县人民法院" in text and "协助执行通知书（解除冻结）" in text
    assert f"本院曾以编号为{notice.number}的协助执行通知书通知你单位冻结被执行人的下列财产" in text
    assert "因被执行人已清偿债务" in text
    assert ("依照《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》第二十八条第一款第四项的规定"
            in text)
    assert f"本院已作出{case.number}之二解除冻结裁定书" in text and f"附：{case.number}之二解除冻结裁定书" in text
    assert "请你单位协助解除冻结" in text and "解除冻结：中国工商银行账户6222020000000000001内存款" in text
    assert "二、原冻结金额：人民币35,000.00元；原冻结期间：自2026年12月2日起至2027年12月1日止。" in text
    assert concerned.id_number in text and other.name not in text
    assert "已无必要" not in text and "已经结案或" not in text and "冻结期限为" not in text
    assert "解除情况" in text and "解除日期" in text and "协助执行单位（盖章）" in text
    assert f"你院{case.number}协助执行通知书（解除冻结）（编号：{release.number}）已收悉" in text
    assert "filename*=UTF-8''" + quote(f"协助执行通知书（解除冻结）{release.number}.pdf", safe="") in \
        response["Content-Disposition"]


def test_every_release_ground_prints_in_chinese_with_its_item(freeze_notice, users):
    from cases.documents import RELEASE_GROUNDS, notice_context
    from cases.models import ReleaseGround

    notice, _ = freeze_notice
    release = _release_for(notice, users, ground="", ruling=None)
    assert set(RELEASE_GROUNDS) == set(ReleaseGround.values)
    for ground in ReleaseGround.values:
        release.release_ground = ground
        context = notice_context(release)["release"]
        assert re.fullmatch(r"[\u4e00-\u9fff，、]+", context["ground"]), ground
        if ground == "over_seizure":  # the part beyond the debt: Art. 19
            assert context["basis"].endswith("第十九条")
        elif ground == "settlement":  # the applicant asks during a settlement: 执行和解规定 Art. 3
            assert context["basis"] == "《最高人民法院关于执行和解若干问题的规定》第三条"
        else:
            assert re.search("第二十八条第一款第[一二三四五六]项$", context["basis"])
    restrict = ActionType.objects.get(code="restrict")
    release.action = restrict
    assert notice_context(release)["release"]["basis"] == ""  # Art. 28 is about property measures
    release.action = notice.action
    release.release_ground = ""  # a release without a stated ground is the court's own finding (item 6)
    assert notice_context(release)["release"]["basis"].endswith("第六项")


def test_a_seizure_of_real_estate_runs_three_years(make_case, issue, users):
    from cases.documents import notice_context

    case = make_case(**BASIS)
    notice = issue(case, "natres", "seize", subject="查封被执行人名下位于公安县斗湖堤镇的房产", ruling=_ruling(case, users, 1))
    term = notice_context(notice)["term"]
    assert term["word"] == "查封" and term["length"] == "三年" and term["from_service"]


def test_a_dishonest_list_push_shows_the_masked_identifier(browser_client, make_case, users, tmp_path):
    case = make_case(**BASIS)
    debtor = case.parties.get(role="debtor")
    now = timezone.now()
    push = Notice.objects.create(
        case=case, unit=Unit.objects.get(code="ndrc"), action=ActionType.objects.get(code="publicize"), kind="push",
        party=debtor, seq=1, number=f"{case.number}-001", subject=f"对{debtor.name}实施联合惩戒",
        issued_by=users["clerk"], issued_at=now, ack_due_at=now + timedelta(days=1), due_at=now + timedelta(days=5))
    text = _flat(_pdf_text(_get_pdf(browser_client, "clerk", push).content, tmp_path))
    assert "湖北省公安县人民法院" in text and "失信被执行人名单推送函" in text and case.number in text
    assert debtor.masked_id in text and debtor.id_number not in text


@pytest.mark.parametrize("length", [40, 600, 900, 1200, 2000])
def test_no_page_holds_only_the_seal_and_date(browser_client, make_case, issue, users, length):
    """Whatever the subject's length, the page with the seal place also holds the closing paragraph, and
    the reply slip is never split from its title."""
    case = make_case(**BASIS)
    subject = ("冻结被执行人在你行开立的账户" + "6222020000000000001、" * 200)[:length]
    notice = issue(case, "bank-icbc", "freeze", subject=subject, ruling=_ruling(case, users, 1))
    pages = _pages(_get_pdf(browser_client, "liaison-bank-icbc", notice).content)
    seal = [i for i, page in enumerate(pages) if "（院印）" in page]
    assert len(seal) == 1
    page = pages[seal[0]]
    assert "前签收" in page and "本院经办人" in page and "附：" in page
    slip = [i for i, page in enumerate(pages) if "裁剪线" in page]
    assert len(slip) == 1 and "协助执行单位（盖章）" in pages[slip[0]] and "你院" in pages[slip[0]]


def test_attachment_downloads_have_chinese_file_names(browser_client, freeze_notice):
    notice, _ = freeze_notice
    response = browser_client("liaison-bank-icbc").get(f"/attachments/{notice.ruling_id}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    label = notice.ruling.ruling_label
    assert "filename*=UTF-8''" + quote(f"{label}.pdf", safe="") in disposition
    assert re.search(r'filename="[ -~]+\.pdf"', disposition)
    b"".join(response.streaming_content)


def test_document_images_for_the_user_guide(browser_client, freeze_notice, users, tmp_path):
    """docs/img/notice-document.png and release-document.png: the first page of each document."""
    notice, _ = freeze_notice
    release = _release_for(notice, users, ground="debt_paid",
                           ruling=_ruling(notice.case, users, 2, "解除冻结裁定书"))
    from PIL import Image

    write = os.environ.get("WRITE_DOC_IMAGES") == "1"
    for name, which in (("notice-document", notice), ("release-document", release)):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(_get_pdf(browser_client, "liaison-bank-icbc", which).content)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / name)], check=True)
        pages = [Image.open(path) for path in sorted(tmp_path.glob(f"{name}-*.png"))]
        assert 1 <= len(pages) <= 3
        # every page side by side, on a grey ground, so that the guide shows the reply slip too
        gap = 12
        sheet = Image.new("RGB", (sum(p.width for p in pages) + gap * (len(pages) + 1),
                                  max(p.height for p in pages) + 2 * gap), (200, 200, 200))
        x = gap
        for page in pages:
            sheet.paste(page, (x, gap))
            x += page.width + gap
        if write:
            sheet.save(DOCS_IMG / f"{name}.png", optimize=True)
        committed = Image.open(DOCS_IMG / f"{name}.png")
        assert committed.size == sheet.size  # same number of A4 pages at 60 dpi (about 496 x 702 each)
        assert 695 + 2 * gap <= committed.height <= 705 + 2 * gap
