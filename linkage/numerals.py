"""Chinese numerals as official documents write them (之一, 第十二条, 二〇二六年)."""

_DIGITS = "〇一二三四五六七八九"
_UNITS = ["", "十", "百", "千"]


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 105 → 一百零五, 2026 → 二千零二十六; any n from 0 to 99,999,999."""
    if n < 0:
        raise ValueError("only non-negative numbers")
    if n == 0:
        return "零"
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = chinese_numeral(low) if low else ""
        return chinese_numeral(high) + "万" + ("零" if 0 < low < 1000 else "") + rest
    out, zero = [], False
    digits = str(n)
    for index, ch in enumerate(digits):
        d = int(ch)
        place = len(digits) - index - 1
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        out.append(("一" if d == 1 else _DIGITS[d]) if not (d == 1 and place == 1 and index == 0)
                   else "")
        out.append(_UNITS[place])
    return "".join(out).replace("〇", "零")


def format_yuan(value) -> str:
    """An amount of money as every page and document shows it: thousands separated, two decimals
    (50000 → 50,000.00; Decimal("1234.5") → 1,234.50). None or "" → "". Not localised: the court's
    documents write 50,000.00 in either language."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount:,.2f}"
