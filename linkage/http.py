"""HTTP helpers shared by every app's downloads."""
import re
from urllib.parse import quote


def ascii_filename(name: str, fallback: str) -> str:
    """An ASCII-only name for clients that ignore ``filename*``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return stem if re.search(r"[A-Za-z0-9]", stem) and stem != "pdf" else fallback


def content_disposition(filename: str, *, as_attachment: bool, fallback: str) -> str:
    """``inline; filename="notice-7.pdf"; filename*=UTF-8''%E5%8D%8F…`` (RFC 6266 / RFC 5987)."""
    disposition = "attachment" if as_attachment else "inline"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
