"""The court's e-seal: PAdES signatures made with pyHanko, and their validation.

* The key and certificate come from a PKCS#12 file named by ``SEAL_PKCS12`` (passphrase ``SEAL_PASSPHRASE``).
  With none configured and ``DEBUG`` or ``DJANGO_DEMO`` on, the demo certificate written by ``manage.py seal_demo_ca`` (under
  ``PRIVATE_MEDIA_ROOT/seal/``) is used; with neither, documents are stored and registered unsigned.
* A signature is PAdES baseline B-B (``/ETSI.CAdES.detached``, SHA-256), or B-T when ``SEAL_TSA_URL`` names
  an RFC 3161 timestamp server.
* The visible appearance of the signature is a seal drawn here (a red circle, the court's name along the
  upper arc, a five-pointed star, 电子签章 under it): vector drawing in SVG, rendered by WeasyPrint into a
  42 mm page that pyHanko imports as the widget's appearance. It is never an image of a real seal.
* Validation uses pyHanko's own validator against the trust roots (``SEAL_TRUST_ROOTS``, else the
  root certificates carried in the PKCS#12 file), without fetching anything from the network.
"""
import datetime as dt
import hashlib
import io
import logging
import math
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

SEAL_MM = 42  # the court seal's diameter (人民法院印章 42 mm)
FIELD_PREFIX = "CourtSeal_"
DEMO_PASSPHRASE = "linkage-demo-seal"  # the demo certificate only; never a production key
_lock = threading.Lock()
_cache: dict = {}


# ---------------------------------------------------------------- configuration

def demo_dir() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "seal"


def _configured() -> tuple[Path, bytes] | None:
    """(PKCS#12 path, passphrase) of the key in use, or None (documents are then unsigned)."""
    path = getattr(settings, "SEAL_PKCS12", "") or ""
    if path:
        return Path(path), (getattr(settings, "SEAL_PASSPHRASE", "") or "").encode()
    demo = demo_dir() / "demo-court.p12"
    if (settings.DEBUG or getattr(settings, "DEMO", False)) and demo.exists():
        return demo, DEMO_PASSPHRASE.encode()
    return None


@dataclass
class Seal:
    signer: object  # pyhanko.sign.signers.SimpleSigner
    cert_sha256: str
    subject: str
    trust_roots: list


def _cert_sha256(cert) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _load_cert_file(path) -> list:
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    if pem.detect(data):
        return [x509.Certificate.load(der) for _type, _hdr, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def current_seal() -> Seal | None:
    """The signer configured now (cached per file and modification time), or None."""
    conf = _configured()
    if conf is None:
        return None
    path, passphrase = conf
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        log.error("SEAL_PKCS12 %s cannot be read: documents are issued unsigned", path)
        return None
    key = (str(path), stamp, passphrase, tuple(getattr(settings, "SEAL_TRUST_ROOTS", []) or []))
    with _lock:
        if key in _cache:
            return _cache[key]
        from pyhanko.sign import signers

        signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(path), passphrase=passphrase or None)
        if signer is None:
            log.error("SEAL_PKCS12 %s could not be opened (passphrase?): documents are issued unsigned", path)
            return None
        roots = []
        for item in getattr(settings, "SEAL_TRUST_ROOTS", []) or []:
            roots += _load_cert_file(item)
        if not roots:  # the self-signed certificates in the file: the court's own CA
            chain = list(signer.cert_registry) if signer.cert_registry is not None else []
            roots = [c for c in chain if c.self_signed] or [signer.signing_cert]
        cert = signer.signing_cert
        seal = Seal(signer=signer, cert_sha256=_cert_sha256(cert), subject=cert.subject.human_friendly,
                    trust_roots=roots)
        _cache.clear()
        _cache[key] = seal
        return seal


def signer_name(cert) -> str:
    """The certificate holder as a reader knows it: the common name, else the organisation."""
    try:
        native = cert.subject.native
        return native.get("common_name") or native.get("organization_name") or cert.subject.human_friendly
    except Exception:  # pragma: no cover (a malformed name)
        return ""


# ---------------------------------------------------------------- the drawn seal

def seal_svg(court_name: str, size_mm: float = SEAL_MM) -> str:
    """A red round seal drawn in SVG: the court's name along the upper arc, a star, 电子签章 below."""
    red = "#d40000"
    chars = list(court_name)
    n = len(chars)
    span = min(240.0, 24.0 * max(n, 2))  # degrees of arc the name takes, centred on the top
    font = 27 if n <= 10 else max(16, int(27 * 10 / n))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
             f'viewBox="0 0 200 200">',
             f'<circle cx="100" cy="100" r="95" fill="none" stroke="{red}" stroke-width="6"/>']
    for i, ch in enumerate(chars):
        angle = -90 - span / 2 + (span * i / (n - 1) if n > 1 else span / 2)
        rad = math.radians(angle)
        x, y = 100 + 72 * math.cos(rad), 100 + 72 * math.sin(rad)
        parts.append(f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({angle + 90:.2f} {x:.2f} {y:.2f})" '
                     f'fill="{red}" font-family="Noto Sans CJK SC, Noto Serif CJK SC, sans-serif" '
                     f'font-weight="bold" font-size="{font}" text-anchor="middle" dy="9">{escape(ch)}</text>')
    star = []
    for k in range(10):
        radius = 30 if k % 2 == 0 else 12
        a = math.radians(-90 + 36 * k)
        star.append(f"{100 + radius * math.cos(a):.2f},{98 + radius * math.sin(a):.2f}")
    parts.append(f'<polygon points="{" ".join(star)}" fill="{red}"/>')
    parts.append(f'<text x="100" y="152" fill="{red}" font-family="Noto Sans CJK SC, sans-serif" '
                 f'font-size="17" text-anchor="middle">电子签章</text>')
    parts.append("</svg>")
    return "".join(parts)


def seal_pdf(court_name: str) -> bytes:
    """The drawn seal alone on a 42 mm page: imported by pyHanko as the signature's appearance."""
    key = ("seal-pdf", court_name)
    if key in _cache:
        return _cache[key]
    from weasyprint import HTML

    html = (f'<html><head><style>@page {{ size: {SEAL_MM}mm {SEAL_MM}mm; margin: 0 }} body {{ margin: 0 }}'
            f' svg {{ display: block }}</style></head><body>{seal_svg(court_name)}</body></html>')
    data = HTML(string=html).write_pdf()
    _cache[key] = data
    return data


class _SealPage:
    """A page of PDF bytes imported as the appearance (pyHanko's ImportedPdfPage reads only a file)."""

    @staticmethod
    def content(data: bytes):
        import binascii
        import uuid

        from pyhanko.pdf_utils.content import ImportedPdfPage
        from pyhanko.pdf_utils.layout import BoxConstraints
        from pyhanko.pdf_utils.reader import PdfFileReader

        class Imported(ImportedPdfPage):
            def render(self) -> bytes:
                w = self._ensure_writer
                xobj = w.import_page_as_xobject(PdfFileReader(io.BytesIO(data)), page_ix=0)
                name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
                self.resources.xobject[name.decode("ascii")] = xobj
                x1, y1, x2, y2 = xobj.get_object()["/BBox"]
                self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
                return name + b" Do"

        return Imported("<seal>")


# ---------------------------------------------------------------- signing

def _run(make_coroutine):
    """Run pyHanko's coroutine to completion from sync code, also where this thread already runs an
    event loop (an ASGI server, Playwright's sync API): then in a thread of its own."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def field_name(code: str) -> str:
    return f"{FIELD_PREFIX}{code}"


def sign_pdf(pdf: bytes, *, seal: Seal, code: str, reason: str, location: str, page: int,
             box: tuple[float, float, float, float], court_name: str) -> bytes:
    """``pdf`` signed by ``seal`` (PAdES B-B; B-T with ``SEAL_TSA_URL``), the seal drawn in ``box`` (PDF
    points, from the bottom left) on page index ``page``."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.stamp import StaticStampStyle

    name = field_name(code)
    meta = signers.PdfSignatureMetadata(
        field_name=name, reason=reason, location=location, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, use_pades_lta=False)
    tsa = getattr(settings, "SEAL_TSA_URL", "") or ""
    timestamper = timestamps.HTTPTimeStamper(tsa, timeout=10) if tsa else None
    style = StaticStampStyle(background=_SealPage.content(seal_pdf(court_name)), border_width=0,
                             background_opacity=1.0,
                             background_layout=layout.SimpleBoxLayoutRule(
                                 x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                                 margins=layout.Margins.uniform(0)))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = signers.PdfSigner(meta, signer=seal.signer, timestamper=timestamper, stamp_style=style,
                                   new_field_spec=fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box))
    out = _run(lambda: pdf_signer.async_sign_pdf(writer))
    return out.getvalue()


# ---------------------------------------------------------------- validation

@dataclass
class SignatureCheck:
    present: bool = False
    valid: bool = False  # intact, cryptographically sound, trusted, and covering the whole file
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    pades: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    cert_sha256: str = ""
    field: str = ""
    error: str = ""


def validate(pdf: bytes, *, trust_roots=None, moment: dt.datetime | None = None) -> SignatureCheck:
    """Validate the last signature of ``pdf`` with pyHanko against ``trust_roots`` (default: the
    configured seal's). ``moment``: the time to validate at (the registered signing time, so that a
    document still verifies after the certificate expired); default now, or the timestamp of a B-T."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    check = SignatureCheck()
    if trust_roots is None:
        seal = current_seal()
        trust_roots = seal.trust_roots if seal is not None else []
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        check.error = f"unreadable: {exc.__class__.__name__}"
        return check
    if not signatures:
        return check
    sig = signatures[-1]
    check.present = True
    check.field = sig.field_name or ""
    try:
        check.pades = str(sig.sig_object.get("/SubFilter")) == "/ETSI.CAdES.detached"
    except Exception:
        check.pades = False
    if not trust_roots:
        check.error = "no trust roots"
    try:
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False,
                                    moment=moment, revocation_mode="soft-fail")
        status = _run(lambda: async_validate_pdf_signature(sig, context))
    except Exception as exc:
        check.error = f"validation failed: {exc.__class__.__name__}"
        return check
    check.intact = bool(status.intact and status.valid)
    check.trusted = bool(status.trusted)
    check.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check.valid = check.intact and check.trusted and check.whole_file and status.bottom_line
    try:
        check.signer = signer_name(status.signing_cert)
        check.cert_sha256 = _cert_sha256(status.signing_cert)
    except Exception:
        pass
    ts = getattr(status, "timestamp_validity", None)
    check.timestamped = ts is not None
    check.signed_at = ts.timestamp if ts is not None else status.signer_reported_dt
    return check


def code_in_signature(pdf: bytes) -> str:
    """The registry code a signed PDF names in its signature field (``CourtSeal_<code>``), or ""."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        for sig in reader.embedded_signatures:
            if (sig.field_name or "").startswith(FIELD_PREFIX):
                return sig.field_name[len(FIELD_PREFIX):]
    except Exception:
        return ""
    return ""


# ---------------------------------------------------------------- the demo CA

def make_ca(directory: Path, *, court_name: str, passphrase: str, days: int = 730,
            key_size: int = 2048) -> tuple[Path, Path]:
    """A demo root CA and the court's signing certificate under ``directory``: ``demo-ca.pem`` (the
    trust root) and ``demo-court.p12`` (key, certificate and CA). For the demo and the tests only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, court_name),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{court_name} 演示根证书 (DEMO CA)")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days * 5))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=True, crl_sign=True, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, court_name),
                      x509.NameAttribute(NameOID.COMMON_NAME, court_name)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, p12_path = directory / "demo-ca.pem", directory / "demo-court.p12"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    p12 = pkcs12.serialize_key_and_certificates(
        b"court-seal", key, cert, [ca_cert], serialization.BestAvailableEncryption(passphrase.encode()))
    p12_path.write_bytes(p12)
    p12_path.chmod(0o600)
    return ca_path, p12_path
