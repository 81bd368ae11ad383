"""What e-sealing adds to an issued document (issue 14).

On a throwaway SQLite database (migrated and seeded here), issues 50 freeze notices, then for each one
renders the stored document twice: unsigned (WeasyPrint only) and e-sealed (WeasyPrint + pyHanko, PAdES
B-B with a throwaway 2048-bit RSA certificate), and validates the sealed file with pyHanko. Prints the
median and p95 per document of each and of the difference (the time the seal adds).

    .venv/bin/python bench/seal_bench.py [--notices 50]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORK = Path(tempfile.mkdtemp(prefix="seal-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["PRIVATE_MEDIA_ROOT"] = str(WORK / "private")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ["DOCUMENTS_SEAL_ON_ISSUE"] = "false"  # the bench renders them itself

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from cases import services
    from documents import seal
    from documents import services as docs
    from documents.models import IssuedDocument
    from members.models import ActionType, Unit, User
    from members.seeding import seed_demo

    seed_demo("linkage-demo")
    ca, p12 = seal.make_ca(WORK / "seal", court_name="湖北省公安县人民法院", passphrase="bench")
    clerk = User.objects.get(username="clerk")
    # The first court's banks (the demo's second county has its own, 2-bank-…).
    banks = list(Unit.objects.filter(code__startswith="bank-", capabilities__action__code="freeze").distinct())
    freeze = ActionType.objects.get(code="freeze")
    ids = []
    n = 0
    while len(ids) < args.notices:
        n += 1
        case = services.case_create(actor=clerk, number=f"(2026)鄂1022执{9000 + n}号", title=f"基准案件{n}",
                                    amount="100000", parties=[
                                        {"role": "applicant", "name": f"申请人{n}", "id_number": _rid(2 * n)},
                                        {"role": "debtor", "name": f"被执行人{n}", "id_number": _rid(2 * n + 1)}])
        ruling = services.ruling_store(actor=clerk, case=case, title="", upload=_ruling())
        notices = services.notice_issue_batch(actor=clerk, case=case, units=banks, action=freeze,
                                              subject="冻结被执行人名下存款", ruling=ruling)
        ids += [d.pk for n_ in notices for d in IssuedDocument.objects.filter(notice=n_)]
    ids = ids[:args.notices]
    plain, sealed, check = [], [], []
    settings.DEBUG = False
    for pk in ids:
        document = IssuedDocument.objects.get(pk=pk)
        settings.SEAL_PKCS12 = ""
        t = time.perf_counter()
        docs.render_document(document)
        plain.append(time.perf_counter() - t)
        settings.SEAL_PKCS12, settings.SEAL_PASSPHRASE = str(p12), "bench"
        t = time.perf_counter()
        pdf, info = docs.render_document(document)
        sealed.append(time.perf_counter() - t)
        assert info["sealed"]
        t = time.perf_counter()
        assert seal.validate(pdf).valid
        check.append(time.perf_counter() - t)
    added = [s - p for s, p in zip(sealed, plain, strict=True)]
    print(f"{len(ids)} notices (协助执行通知书, 2 pages each), per document:")
    for label, values in (("render only (unsigned)", plain), ("render + e-seal (PAdES B-B)", sealed),
                          ("e-seal adds", added), ("pyHanko validation", check)):
        print(f"  {label:28s} median {statistics.median(values) * 1000:7.1f} ms   p95 {pct(values, 95) * 1000:7.1f} ms")


def _rid(n: int) -> str:
    from linkage.identity import resident_id_check_char

    first17 = f"42102219900101{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def _ruling():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("裁定书.pdf", out.getvalue(), "application/pdf")


if __name__ == "__main__":
    try:
        main()
    finally:
        import shutil

        shutil.rmtree(WORK, ignore_errors=True)
