"""Who sees a person's identifier (PIPL Art. 6, 28, 51: sensitive personal data, need to know).

The one rule, used by the notice document (PDF), the notice page, the notice API and the e-mails:

* A notice names only the party it concerns (``concerned_parties``): the debtor picked when it was
  issued (``Notice.party``), for a release or renewal the debtor of the notice it follows, for a
  dishonest-list push or withdrawal the listed debtor (the ``CreditEntry``'s party), never a co-debtor.
  Only an old assistance notice issued without a debtor names every debtor of the case.
* The target unit of an assistance, release or renewal notice must act on that person (freeze their
  account, lift the freeze): its members see the full resident ID and the account in full.
* A push or withdrawal letter asks a unit to apply (or lift) joint punishment: it sees what the public
  list shows (the ID masked), plus the full ID only where its act needs it, which is data:
  ``PunishmentIdentifierNeed`` (one row per unit, with the reason; edited in the admin).
* Everyone else, court roles included, sees the ID masked (``mask_identifier``); a court role who needs
  it uses the audited reveal on the case page. An organisation's credit code is public and shown in full.
* Free text (subject, answer detail, notes, grounds) is shown with identifier-shaped runs masked, to
  everyone (``mask_identifiers_in_text``): what a unit must act on belongs in the structured fields.
  Two exceptions, each the rule above applied to the text: a reader who sees the concerned person's ID
  in full sees that one ID in full in the notice's text too (``text_for``: the document's body and its
  table never disagree), and the unit that answered a notice reads its own answer as it wrote it
  (``answer_text_for``: the bank sees the account it gave), masked for everyone else.

``viewer`` is a user (the page, the API) or a unit (the e-mail and webhook to that unit).
"""
from django.core.exceptions import ObjectDoesNotExist

from linkage.identity import mask_account, mask_identifier, mask_identifiers_in_text
from linkage.numerals import format_yuan
from members.models import Unit
from members.roles import is_court_user
from members.scoping import unit_ids

ACTING_KINDS = frozenset({"assist", "release", "renewal"})
LIST_KINDS = frozenset({"push", "withdraw"})

# The units whose joint punishment needs the full ID, seeded with the units (``members.seeding``) and by
# migration 0012 for a database that has them already. A code ending in "-" covers every unit whose code
# starts with it (each bank, each insurer). Publicity (曝光) and the NDRC (推送) publish and pass on the
# list: the public, masked form is all they need.
IDENTIFIER_NEEDS = [
    ("police", "限制出境：须以公民身份号码将失信被执行人录入出入境边防管控系统（第十五条）。"),
    ("natres", "限制购买、取得房产和土地使用权：须以公民身份号码在不动产登记系统中设置限制（第二十一条）。"),
    ("market", "限制担任法定代表人、董事、监事、高级管理人员：须以公民身份号码在市场主体登记系统中设置限制（第二十条）。"),
    ("fund", "限制提取、转移住房公积金：须以公民身份号码锁定其公积金账户（第二十九条）。"),
    ("bank-", "限制贷款、限制办理信用卡：须以公民身份号码在信贷和发卡系统中设置限制标识（第二十六条）。"),
    ("insurance-", "限制支付高额保费购买具有现金价值的保险产品：须以公民身份号码在承保系统中设置限制（第三十一条）。"),
]


def need_reason_for(code: str) -> str:
    """The default reason for unit ``code`` ("": its joint punishment needs only the masked ID)."""
    from members.courts import base_code

    code = base_code(code)
    for pattern, reason in IDENTIFIER_NEEDS:
        if code == pattern or (pattern.endswith("-") and code.startswith(pattern)):
            return reason
    return ""


def seed_identifier_needs(units, need_model=None) -> int:
    """Give each of ``units`` its default need, if it has one and no row yet; returns rows created."""
    if need_model is None:
        from .models import PunishmentIdentifierNeed as need_model
    created = 0
    for unit in units:
        reason = need_reason_for(unit.code)
        if reason:
            created += need_model.objects.get_or_create(unit_id=unit.pk, defaults={"reason": reason})[1]
    return created


# ---------------------------------------------------------------- the viewer

def _is_target(viewer, notice) -> bool:
    """Is ``viewer`` (a user or a unit) the unit the notice is addressed to?"""
    if viewer is None:
        return False
    if isinstance(viewer, Unit):
        return viewer.pk == notice.unit_id
    if not getattr(viewer, "is_authenticated", False) or is_court_user(viewer):
        return False
    return notice.unit_id in unit_ids(viewer)


def _need_unit_ids(viewer) -> frozenset[int]:
    """Units whose joint punishment needs the full ID; read once per viewer (one request, one e-mail)."""
    holder = viewer.__dict__ if viewer is not None else {}
    if "_identifier_need_units" not in holder:
        from .models import PunishmentIdentifierNeed

        holder["_identifier_need_units"] = frozenset(
            PunishmentIdentifierNeed.objects.values_list("unit_id", flat=True))
    return holder["_identifier_need_units"]


def sees_full_identifier(viewer, notice) -> bool:
    """The rule: the target unit of a notice that asks it to act on the person; for a push or
    withdrawal, only a target unit whose joint punishment needs the ID (``PunishmentIdentifierNeed``)."""
    if not _is_target(viewer, notice):
        return False
    if notice.kind in ACTING_KINDS:
        return True
    if notice.kind in LIST_KINDS:
        return notice.unit_id in _need_unit_ids(viewer)
    return False


# ---------------------------------------------------------------- what a notice is about

def _listed_party(notice):
    """The listed debtor of a push or withdrawal letter."""
    # The reverse sides of credit.CreditPush.push / .withdrawal (credit sits above cases: no import).
    push = getattr(notice, "credit_push" if notice.kind == "push" else "credit_withdrawal", None)
    return push.entry.party if push is not None else None


def concerned_parties(notice) -> list:
    """The debtor(s) the notice is about: the only parties any rendering of it may name."""
    cache = notice.__dict__.setdefault("_concerned_parties", None)
    if cache is not None:
        return cache
    party = notice.party if notice.party_id else None
    if party is None and notice.original_id and notice.original.party_id:
        party = notice.original.party
    if party is None and notice.kind in LIST_KINDS:
        party = _listed_party(notice)
    if party is not None:
        parties = [party]
    elif notice.kind in LIST_KINDS:
        parties = []  # a letter whose entry is gone names nobody rather than every debtor
    else:
        parties = [p for p in notice.case.parties.all() if p.role == "debtor"]
    notice.__dict__["_concerned_parties"] = parties
    return parties


def identifier_for(viewer, notice, party) -> str:
    """``party``'s ID number as ``viewer`` may see it on ``notice``: in full where the rule says so,
    masked as the public list shows it otherwise; "" for a party the notice is not about."""
    if party is None or not party.id_number:
        return ""
    if party.pk not in {p.pk for p in concerned_parties(notice)}:
        return ""
    if party.kind == "organization":
        return mask_identifier(party.id_number, "organization")  # public: in full
    if sees_full_identifier(viewer, notice):
        return party.id_number
    return mask_identifier(party.id_number, party.kind)


def parties_for(viewer, notice) -> list[dict]:
    """The parties the notice concerns, each with its identifier as ``viewer`` may see it."""
    return [{"id": p.pk, "name": p.name, "kind": p.kind, "id_number": identifier_for(viewer, notice, p),
             "legal_representative": p.legal_representative}
            for p in concerned_parties(notice)]


def free_text(text) -> str:
    """Free text as anyone is shown it (identifier-shaped runs masked; the stored text is unchanged)."""
    return mask_identifiers_in_text(text)


def full_identifiers(viewer, notice) -> list[str]:
    """The concerned persons' ID numbers ``viewer`` sees in full on ``notice`` (the rule of
    ``identifier_for``); none for anyone else."""
    if not sees_full_identifier(viewer, notice):
        return []
    return [p.id_number for p in concerned_parties(notice) if p.id_number and p.kind != "organization"]


def text_for(viewer, notice, text) -> str:
    """The notice's own text (its subject) as ``viewer`` reads it: identifier-shaped runs masked, except
    the concerned person's ID for a reader who sees it in full in the notice's table (one rule for the
    body and the table of the same document)."""
    return mask_identifiers_in_text(text, keep=full_identifiers(viewer, notice))


def answer_text_for(viewer, notice, text=None) -> str:
    """The unit's answer (its detail, or the answer event's note ``text``): as written for the unit that
    gave it (the account it froze is its own), identifier-shaped runs masked for everyone else."""
    text = notice.answer_detail if text is None else text
    if not text:
        return text or ""
    return str(text) if _is_target(viewer, notice) else mask_identifiers_in_text(text)


def _acts(viewer, notice) -> bool:
    return notice.kind in ACTING_KINDS and _is_target(viewer, notice)


def _structured_source(notice):
    """The notice carrying the structured subject: itself, or for a release or renewal the notice whose
    measure it concerns."""
    if not (notice.account or notice.asset_kind or notice.amount is not None) and notice.original_id:
        return notice.original
    return notice


def held_amount(notice):
    """What the measure a release or renewal concerns holds (the register's amount: what the unit
    answered it froze), None before an answer or for a measure without an amount."""
    if notice.kind not in ("release", "renewal") or not notice.original_id:
        return None
    try:
        return notice.original.measure.amount
    except ObjectDoesNotExist:  # no measure registered (yet)
        return None


def structured_for(viewer, notice) -> dict | None:
    """Asset kind, account (in full for the unit that acts on it, else masked) and amount; None if the
    notice has none. A release or renewal that follows a notice states what the measure holds (the
    register's amount), never what the first notice asked for; a partial release its own amount."""
    source = _structured_source(notice)
    if not (source.account or source.asset_kind or source.amount is not None):
        return None
    amount = source.amount
    if source is not notice:
        held = held_amount(notice)
        if held is not None:
            amount = held
    account = source.account if _acts(viewer, notice) else mask_account(source.account)
    return {"asset_kind": source.asset_kind, "asset_kind_label": source.get_asset_kind_display() if source.asset_kind
            else "", "account": account, "amount": amount,
            "amount_text": format_yuan(amount)}


def asset_for(viewer, notice) -> str:
    """The register's record of the asset a release or renewal concerns (what the unit answered it took):
    in full for the unit that holds it, identifier-shaped runs masked for everyone else."""
    try:
        asset = notice.original.measure.asset if notice.original_id else notice.measure.asset
    except Exception:  # no measure registered (yet)
        return ""
    return asset if _acts(viewer, notice) else mask_identifiers_in_text(asset)


def account_for(viewer, notice) -> str:
    """The notice's own structured account number: in full for the unit that acts on it, else masked."""
    if not notice.account:
        return ""
    return notice.account if _acts(viewer, notice) else mask_account(notice.account)
