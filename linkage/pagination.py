"""Keyset pages for the browser lists, and reading ids from query strings safely."""

MAX_ID = 2**63 - 1


def query_id(value) -> int | None:
    """An id from a query string, or None for anything no row can have (text, 0, or beyond 64 bits)."""
    value = (value or "").strip()
    # "²" and "１" are digits to isdigit() but not to int(); 20 digits and more are beyond 64 bits anyway
    # (and thousands of them are refused by int() itself).
    if not (value.isascii() and value.isdigit()) or len(value.lstrip("0")) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def keyset_page(qs, request, size: int = 50, *, rows_from=None):
    """Rows older than ``?after=<id>``, newest first, and the id to continue after (or None).

    Two steps: the ids first, walking an index on (…, -id) and stopping at the page's end, then the
    rows with their joins and prefetches; a single joined query can sort every match of a large unit
    when the planner misjudges how many there are. Constant cost however deep the page.

    ``rows_from``: the same list before its filters (scoped to the user all the same), to read the
    page's rows from without running the search a second time for fifty ids it has already found.
    """
    after = query_id(request.GET.get("after"))
    if after is not None:
        qs = qs.filter(id__lt=after)
    ids = list(qs.order_by("-id").values_list("id", flat=True)[: size + 1])
    more = len(ids) > size
    rows = list((qs if rows_from is None else rows_from).filter(id__in=ids[:size]).order_by("-id")) if ids else []
    return rows, (rows[-1].id if more and rows else None)
