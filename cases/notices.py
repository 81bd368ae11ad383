"""The building blocks of notices, below the services that use them (``services``, ``delivery``,
``measures``, ``lifecycle_services``, ``rulings``): numbering and storing notices, moving a locked notice
along its table, storing a ruling. None of these checks permissions or opens a transaction: the service
that calls them does both."""
from django.db.models import Max

from linkage.statemachine import change_state, lock, record_note

from .deadlines import default_deadlines
from .models import Attachment, AttachmentPurpose, Case, Notice, NoticeEvent
from .workflow import NOTICE_MACHINE


def move_notice(notice: Notice, name: str, *, actor, note: str = "", **fields) -> Notice:
    """Move a locked notice along the table, set ``fields``, write the event row."""
    return change_state(notice, NOTICE_MACHINE, name, actor=actor, event=NoticeEvent, subject="notice", note=note,
                        **fields)


def move_notices(notices: list[Notice], name: str, *, actor, note: str = "", **fields) -> None:
    """The same transition for many locked notices: one UPDATE and one bulk insert of events."""
    if not notices:
        return
    moves = [(notice, NOTICE_MACHINE.transition_for(notice.status, name)) for notice in notices]
    target = moves[0][1].target
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(status=target, **fields)
    NoticeEvent.objects.bulk_create([
        NoticeEvent(notice=n, transition=name, from_status=n.status, to_status=target, actor=actor, note=note)
        for n, _move in moves
    ])
    for notice in notices:
        notice.status = target
        for key, value in fields.items():
            setattr(notice, key, value)


def note_event(notice: Notice, *, actor, transition: str, note: str) -> None:
    """A note in the notice's timeline that moves nothing (e.g. a measure took effect, clocks paused)."""
    record_note(notice, transition, actor=actor, event=NoticeEvent, subject="notice", note=note)


def locked_notice(notice: Notice) -> Notice:
    """The notice's row locked (its own row only: the unit, action and case it reads are not locked,
    so two transitions on notices of one unit or case never wait on each other)."""
    return lock(notice, "unit", "action", "case")


def registered_asset(notice: Notice) -> str:
    """What a release lifts: the register's record of the measure if the unit answered, else the ask."""
    try:
        return notice.measure.asset
    except Notice.measure.RelatedObjectDoesNotExist:
        return notice.subject


def create_notices(*, actor, case: Case, issued_at, specs: list[dict]) -> list[Notice]:
    """Number and store notices of one (locked) case, with their "issue" events and their issued
    documents, in a few queries.

    Each spec names unit, action, kind, subject and optionally original, due_at (answer deadline),
    ruling, party, release_ground, partial, asset_kind, account, amount. Numbers follow the case number:
    ``(2026)鄂1022执123号-007``.
    """
    if not specs:
        return []
    seq = Notice.objects.filter(case=case).aggregate(m=Max("seq"))["m"] or 0
    deadlines = {}
    notices = []
    for spec in specs:
        seq += 1
        action = spec["action"]
        if action.pk not in deadlines:
            deadlines[action.pk] = default_deadlines(action, issued_at)
        ack_due, answer_due = deadlines[action.pk]
        if spec.get("due_at") is not None:
            answer_due = spec["due_at"]
            ack_due = min(ack_due, answer_due)
        notices.append(Notice(
            case=case, measure_case=case, unit=spec["unit"], action=action, kind=spec["kind"],
            original=spec.get("original"), seq=seq, number=f"{case.number}-{seq:03d}", subject=spec["subject"],
            issued_by=actor, issued_at=issued_at, ack_due_at=ack_due, due_at=answer_due, ruling=spec.get("ruling"),
            party=spec.get("party"), release_ground=spec.get("release_ground", ""), partial=spec.get("partial", False),
            asset_kind=spec.get("asset_kind", ""), account=spec.get("account", ""), amount=spec.get("amount"),
        ))
    Notice.objects.bulk_create(notices)
    NoticeEvent.objects.bulk_create([
        NoticeEvent(notice=n, transition="issue", from_status="", to_status=n.status, actor=actor, at=issued_at)
        for n in notices
    ])
    from documents.services import register_notices  # each issued document: stored and e-sealed

    register_notices(notices, actor=actor)
    return notices


def store_ruling(*, actor, case: Case, upload, digest: str, title: str = "", kind: str = "") -> Attachment:
    """A ruling (执行裁定书, 解除冻结裁定书 ...) of a case whose row the caller holds locked, already
    checked by ``validate_pdf``; numbered after the case's other rulings (之一, 之二 ...)."""
    return Attachment.objects.create(case=case, purpose=AttachmentPurpose.RULING, file=upload,
                                     original_name=upload.name[:200], size=upload.size, sha256=digest,
                                     uploaded_by=actor, title=(title or "执行裁定书")[:120],
                                     ruling_seq=next_ruling_seq(case), ruling_kind=kind)


def next_ruling_seq(case: Case) -> int:
    return (Attachment.objects.filter(case=case, purpose=AttachmentPurpose.RULING)
            .aggregate(m=Max("ruling_seq"))["m"] or 0) + 1
