from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linkage.api import CleanCharField, IdField, MaskedTextField, OutputModelSerializer, OutputSerializer
from members.courts import court_code
from members.models import Unit
from members.serializers import UnitRefSerializer

from .imports import MAX_ROWS as IMPORT_MAX_ROWS
from .models import (
    AssetKind,
    Attachment,
    Case,
    CaseEvent,
    CaseOutcome,
    KeyCategory,
    Measure,
    MeasurePriority,
    Notice,
    NoticeEvent,
    NoticeRequest,
    Party,
    PartyKind,
    PartyRole,
    Payment,
    PaymentWay,
    PropertySearch,
    SearchResult,
    Settlement,
)
from .terms import is_renewable, measure_term_label


def _viewer(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class PartySerializer(OutputModelSerializer):
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["id", "role", "kind", "name", "id_number", "legal_representative"]

    def get_id_number(self, party) -> str:
        # A person's ID is masked everywhere; an organisation's credit code is public (失信规定 Art. 6)
        # and shown in full.
        return party.masked_id


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    kind = serializers.ChoiceField(choices=PartyKind.choices, default=PartyKind.PERSON)
    name = CleanCharField(max_length=120)
    id_number = CleanCharField(max_length=40)
    legal_representative = CleanCharField(max_length=60, required=False, allow_blank=True)


class CaseInputSerializer(serializers.Serializer):
    number = CleanCharField(max_length=60)
    title = CleanCharField(max_length=200)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=0)
    parties = PartyInputSerializer(many=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=KeyCategory.choices),
                                       required=False, default=list)
    listed_supervision = serializers.BooleanField(required=False, default=False)
    responsible_leader = CleanCharField(max_length=60, required=False, allow_blank=True, default="")
    basis_issuer = CleanCharField(max_length=100, required=False, allow_blank=True, default="",
                                         help_text="执行依据: who issued the document being enforced")
    basis_number = CleanCharField(max_length=60, required=False, allow_blank=True, default="",
                                         help_text="执行依据: its number, e.g. （2026）鄂1022民初456号民事判决书")
    basis_date = serializers.DateField(required=False, allow_null=True, default=None)
    filed_on = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="立案: the day the case was filed in the court's case system (not after "
                                               "today; default today); the rules' clocks count from it")
    preservation_case = IdField(required=False, allow_null=True, default=None,
                                help_text="The 执保 case of the same matter, concluded keeping its measures: they move to "
                                          "this case with their terms running on")


class CaseSerializer(OutputModelSerializer):
    """A case as ``CaseViewSet.get_queryset`` reads it: its parties, categories and resumptions prefetched
    into lists."""

    parties = PartySerializer(many=True, read_only=True, source="party_list")
    categories = serializers.SerializerMethodField()
    resumptions = serializers.SerializerMethodField()

    outstanding_amount = serializers.SerializerMethodField(
        help_text="The amount owed less the payments received (执行款)")
    measures_total = serializers.SerializerMethodField(
        help_text="What the case's active measures hold (those with an amount)")
    over_seizure = serializers.SerializerMethodField(
        help_text="What the measures hold beyond the outstanding amount (查封扣押冻结规定 Art. 19); 0.00 if none")
    suspension = serializers.SerializerMethodField(help_text="While suspended: {kind, ground, since, until}")
    court = serializers.SerializerMethodField(help_text="The code of the case's court (e.g. 鄂1022)")

    class Meta:
        model = Case
        fields = ["id", "number", "court", "case_type", "title", "amount", "status", "outcome", "outcome_ground",
                  "outcome_ruling", "listed_supervision", "responsible_leader", "categories", "parties",
                  "created_at", "filed_on", "concluded_at", "basis_issuer", "basis_number", "basis_date",
                  "resumed_from", "resumptions", "preservation_case", "suspension", "next_search_on",
                  "outstanding_amount", "measures_total", "over_seizure"]

    def get_court(self, case) -> str:
        return court_code(case.court_id)

    def _money(self, case):
        money = getattr(case, "_money", None)
        if money is None:
            from .selectors import Money, case_money, outstanding_amount

            if hasattr(case, "paid_total"):  # annotated by selectors.with_money (a list page)
                money = Money(owed=case.amount, paid=case.paid_total,
                              outstanding=outstanding_amount(case, case.paid_total), held=case.held_total)
            else:
                money = case_money(case)
            case._money = money
        return money

    def get_outstanding_amount(self, case) -> str:
        return f"{self._money(case).outstanding:.2f}"

    def get_measures_total(self, case) -> str:
        return f"{self._money(case).held:.2f}"

    def get_over_seizure(self, case) -> str:
        return f"{self._money(case).over_seizure:.2f}"

    def get_suspension(self, case) -> dict | None:
        if case.status != "suspended":
            return None
        if hasattr(case, "open_suspensions"):
            open_one = case.open_suspensions[0] if case.open_suspensions else None
        else:
            open_one = case.suspensions.filter(ended_at__isnull=True).first()
        if open_one is None:
            return None
        return {"kind": open_one.kind, "ground": open_one.ground, "since": open_one.started_at,
                "until": open_one.until, "ruling": open_one.ruling_id}

    def get_categories(self, case) -> list[str]:
        return [c.category for c in case.category_list]

    def get_resumptions(self, case) -> list[int]:
        return [c.pk for c in case.resumption_list]

    def to_representation(self, case):
        if not hasattr(case, "party_list"):  # a case not read through CaseViewSet.get_queryset
            case.party_list = list(case.parties.all())
            case.category_list = list(case.categories.all())
            case.resumption_list = list(case.resumptions.all())
        return super().to_representation(case)


@extend_schema_field({"oneOf": [{"type": "integer", "description": "the id of a ruling of the case"},
                               {"type": "string", "format": "binary", "description": "a PDF (multipart)"}]})
class RulingRefField(serializers.Field):
    """A ruling given either as an uploaded PDF (multipart) or as the id of one of the case's rulings."""

    def to_internal_value(self, data):
        if isinstance(data, UploadedFile):
            return data
        try:
            value = int(str(data))
        except (TypeError, ValueError):
            raise serializers.ValidationError("Give a ruling id (from cases/{id}/rulings/) or a PDF file.") from None
        if not 1 <= value <= 2**63 - 1:
            raise serializers.ValidationError("No such ruling.")
        return value

    def to_representation(self, value):
        return getattr(value, "pk", value)


class ConcludeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices, help_text=(
        "执, 执恢: completed, terminated, final_no_property, not_enforced, application_rejected, filing_cancelled; "
        "执保: preservation_done, preservation_partial, preservation_nothing, preservation_lifted; 执异/执复/执监: "
        "review_withdrawn, review_dismissed, review_upheld, review_partly_upheld"))
    ground = CleanCharField(required=False, allow_blank=True, default="", max_length=24, help_text=(
        "For terminated: a TerminationGround (民事诉讼法 Art. 268; settlement, taken_up, designated and entrusted "
        "keep the measures); for preservation_lifted: withdrawn, security, suit_dismissed, no_suit or other"))
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=500)
    ruling = RulingRefField(required=False, help_text="The ruling of the ending (the release ruling named on the "
                                                      "release notices, the 终本 or termination ruling): a PDF or the "
                                                      "id of a ruling of the case; none: the portal draws one up")
    confirm = serializers.ListField(child=CleanCharField(max_length=24), required=False, default=list, max_length=10,
                                    help_text="终本: the codes of the conditions the clerk vouches for (with a note)")


class ConcludeOutputSerializer(CaseSerializer):
    release_notices = serializers.SerializerMethodField()
    cancelled_notices = serializers.SerializerMethodField()
    kept_measures = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "release_notices", "cancelled_notices", "kept_measures"]

    def get_release_notices(self, case) -> list[int]:
        return [n.pk for n in self.context["result"].release_notices]

    def get_cancelled_notices(self, case) -> list[int]:
        return [n.pk for n in self.context["result"].cancelled_notices]

    def get_kept_measures(self, case) -> list[int]:
        return [m.pk for m in self.context["result"].kept_measures]


class SuspendInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["suspension", "deferral"])
    ground = CleanCharField(max_length=24, help_text=(
        "suspension (民事诉讼法 Art. 267): creditor_defers, third_party_objection, party_died, entity_ended, retrial, "
        "bankruptcy, other; deferral (Art. 242): security_given or other"))
    reason = CleanCharField(required=False, allow_blank=True, default="", max_length=1000)
    until = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text="A deferral's last day (at most 1 year with security, 3 months otherwise)")
    ruling = RulingRefField(required=False, help_text="The 中止执行裁定书 / 暂缓执行决定书; none: drawn up")


class ProceedInputSerializer(serializers.Serializer):
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=1000,
                          help_text="Why enforcement proceeds (required after a settlement: the breach)")


class InstalmentInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"))


class SettlementInputSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    terms = CleanCharField(max_length=4000)
    instalments = InstalmentInputSerializer(many=True, required=False, default=list)
    release_measures = serializers.ListField(child=IdField(), required=False, default=list, max_length=200,
                                             help_text="Measures the agreement releases (ids); the rest stay")
    ruling = RulingRefField(required=False, help_text="The release ruling for the measures released; none: drawn up")


class InstalmentSerializer(OutputSerializer):
    seq = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=15, decimal_places=2)
    paid = serializers.DecimalField(max_digits=15, decimal_places=2)
    status = serializers.CharField(help_text="paid, part, due or overdue")


class SettlementSerializer(OutputModelSerializer):
    instalments = serializers.SerializerMethodField()

    class Meta:
        model = Settlement
        fields = ["id", "case", "signed_on", "terms", "status", "recorded_at", "ended_at", "end_note", "instalments"]

    def get_instalments(self, settlement) -> list[dict]:
        from .selectors import instalment_states

        return [{"seq": s.instalment.seq, "due_on": s.instalment.due_on, "amount": s.instalment.amount,
                 "paid": s.paid, "status": s.status} for s in instalment_states(settlement)]


class PaymentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    received_on = serializers.DateField()
    way = serializers.ChoiceField(choices=PaymentWay.choices)
    notice = IdField(required=False, allow_null=True, default=None, help_text="For a deduction: the notice")
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=200)


class PaymentSerializer(OutputModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "case", "amount", "received_on", "way", "notice", "note", "recorded_at"]


class PropertySearchInputSerializer(serializers.Serializer):
    searched_on = serializers.DateField()
    result = serializers.ChoiceField(choices=SearchResult.choices)
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=2000)


class PropertySearchSerializer(OutputModelSerializer):
    class Meta:
        model = PropertySearch
        fields = ["id", "case", "seq", "due_on", "searched_on", "result", "note", "recorded_at"]


class CaseEventSerializer(OutputModelSerializer):
    actor = serializers.SerializerMethodField()
    note = MaskedTextField()

    class Meta:
        model = CaseEvent
        fields = ["transition", "from_status", "to_status", "actor", "on_behalf_of", "at", "note"]

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_on_behalf_of(self, event) -> str | None:
        """A deputy's step: the user name of the liaison on leave they acted for (代为办理)."""
        return event.on_behalf_of.username if event.on_behalf_of_id else None


class ResumeInputSerializer(serializers.Serializer):
    number = CleanCharField(max_length=60, help_text="The new case number, case type 执恢")
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=500)


class RulingInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = CleanCharField(required=False, allow_blank=True, default="", max_length=120)


class RulingSerializer(OutputModelSerializer):
    number = serializers.CharField(source="ruling_number", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "title", "number", "original_name", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class CaseRefSerializer(OutputModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "number"]


class NoticeEventSerializer(OutputModelSerializer):
    actor = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField(help_text="Identifier-shaped runs masked; an answer's note (the "
                                                       "unit's own answer) as written for the unit that gave it")

    class Meta:
        model = NoticeEvent
        fields = ["transition", "from_status", "to_status", "actor", "on_behalf_of", "at", "note"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_note(self, event) -> str | None:
        from linkage.identity import mask_identifiers_in_text

        from .disclosure import answer_text_for

        if event.note is None:
            return None
        notice = self.root.instance if isinstance(self.root.instance, Notice) else None
        if event.transition == "answer" and notice is not None and notice.pk == event.notice_id:
            return answer_text_for(_viewer(self), notice, event.note)
        return mask_identifiers_in_text(event.note)

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_on_behalf_of(self, event) -> str | None:
        """A deputy's step: the user name of the liaison on leave they acted for (代为办理)."""
        return event.on_behalf_of.username if event.on_behalf_of_id else None


class NoticeRequestSerializer(OutputModelSerializer):
    grounds = MaskedTextField()
    decision_note = MaskedTextField()

    class Meta:
        model = NoticeRequest
        fields = ["id", "notice", "kind", "grounds", "requested_due_at", "status", "filed_at", "decided_at",
                  "decision_note"]
        read_only_fields = fields


class NoticeRequestInputSerializer(serializers.Serializer):
    kind = CleanCharField()
    grounds = CleanCharField(allow_blank=True)
    requested_due_at = CleanCharField(required=False, allow_blank=True, allow_null=True)


class DecideInputSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    note = CleanCharField(required=False, allow_blank=True, default="")
    new_due_at = CleanCharField(required=False, allow_blank=True, allow_null=True)


class NoticeSerializer(OutputModelSerializer):
    case = CaseRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    court = serializers.SerializerMethodField(help_text="The code of the court whose case it is")
    action = serializers.CharField(source="action.code", read_only=True)
    action_label = serializers.CharField(read_only=True, help_text="e.g. 冻结, or 解除冻结 for a release")
    ack_overdue = serializers.SerializerMethodField()
    answer_overdue = serializers.SerializerMethodField()
    subject = MaskedTextField(help_text="Identifier-shaped runs masked for every reader")
    answer_detail = serializers.SerializerMethodField(help_text="The unit's answer: as written for the unit that "
                                                                "gave it, identifier-shaped runs masked for "
                                                                "everyone else")
    account = serializers.SerializerMethodField(help_text="Account, plate or parcel number: in full for the "
                                                          "target unit, masked for everyone else")

    class Meta:
        model = Notice
        fields = ["court", "id", "kind", "number", "case", "unit", "action", "action_label", "party",
                  "release_ground", "ruling", "subject", "asset_kind", "account", "amount", "status", "original",
                  "issued_at", "ack_due_at", "due_at", "delivered_at", "acknowledged_at", "answered_at",
                  "outcome", "answer_detail", "result_amount", "closed_at", "cancelled_at", "paused_since",
                  "ack_overdue", "answer_overdue", "measure_case", "partial"]

    def get_court(self, obj) -> str:
        return court_code(obj.unit.court_id)

    def get_ack_overdue(self, notice) -> bool:
        return notice.ack_overdue()

    def get_account(self, notice) -> str:
        from .disclosure import account_for

        return account_for(_viewer(self), notice)

    def get_answer_detail(self, notice) -> str:
        from .disclosure import answer_text_for

        return answer_text_for(_viewer(self), notice)

    def get_answer_overdue(self, notice) -> bool:
        return notice.answer_overdue()


class NoticeDetailSerializer(NoticeSerializer):
    # On the detail only: naming the parties may take a query (a push's listed debtor), lists stay flat.
    subject = serializers.SerializerMethodField(
        help_text="Identifier-shaped runs masked, except the concerned person's ID for a reader who sees it in "
                  "full in ``debtors`` (one rule for both)")
    debtors = serializers.SerializerMethodField(
        help_text="The debtor(s) the notice concerns (``party``; every debtor for a notice issued without one), "
                  "each {id, name, kind, id_number}: the full ID for the target unit of an assistance, release "
                  "or renewal notice and, for a dishonest-list push or withdrawal, for a unit whose joint "
                  "punishment needs it; masked for everyone else")
    events = NoticeEventSerializer(many=True, read_only=True)
    requests = NoticeRequestSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "debtors", "events", "requests"]

    def get_subject(self, notice) -> str:
        from .disclosure import text_for

        return text_for(_viewer(self), notice, notice.subject)

    def get_debtors(self, notice) -> list[dict]:
        from .disclosure import parties_for

        return [{k: v for k, v in p.items() if k != "legal_representative"}
                for p in parties_for(_viewer(self), notice)]


class NoticeInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    action = CleanCharField()
    subject = CleanCharField(max_length=1000)
    due_at = CleanCharField(required=False, allow_blank=True, allow_null=True)
    ruling = RulingRefField(required=False, help_text="Required for freeze, seize, deduct and transfer: the id "
                                                      "of a ruling from cases/{id}/rulings/, or a PDF")
    party = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
                                     help_text="The debtor (party id) the notice concerns; default: the "
                                               "case's only debtor")
    asset_kind = serializers.ChoiceField(choices=AssetKind.choices, required=False, allow_blank=True, default="",
                                         help_text="What kind of asset the unit acts on")
    account = CleanCharField(max_length=100, required=False, allow_blank=True, default="",
                             help_text="The account, plate or parcel number (shown in full to the target unit "
                                       "only); do not type it into the subject")
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=0, required=False,
                                      allow_null=True, default=None,
                                      help_text="The amount to freeze or deduct, in yuan")


class MeasureInputSerializer(serializers.Serializer):
    """What the unit took, for the measures register (freeze, seize, restrict, locate, publicize)."""

    asset = CleanCharField(max_length=300, required=False, allow_blank=True)
    asset_kind = serializers.ChoiceField(choices=AssetKind.choices, required=False)
    priority = serializers.ChoiceField(choices=MeasurePriority.choices, required=False)
    queue_position = serializers.IntegerField(min_value=1, max_value=999, required=False, allow_null=True)
    effective_on = serializers.DateField(required=False, allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    outcome = CleanCharField()
    detail = CleanCharField(required=False, allow_blank=True, default="", max_length=5000)
    result_amount = serializers.DecimalField(max_digits=15, decimal_places=2, required=False, allow_null=True,
                                             help_text="Required for a done or partial freeze or deduct")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    measure = MeasureInputSerializer(required=False)
    asset = CleanCharField(max_length=300, required=False, allow_blank=True, default="",
                                  help_text="The account or asset held (default: the notice's subject)")
    effective_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="The day the measure took effect (default: day of service)")


class ReturnInputSerializer(serializers.Serializer):
    reason = CleanCharField(max_length=1000, help_text="What the unit must correct")





class NoteInputSerializer(serializers.Serializer):
    note = CleanCharField(required=False, allow_blank=True, default="")


class MeasureSerializer(OutputModelSerializer):
    """A measure of the register. ``starts_on``/``expires_on`` are the first and last day of its term
    (inclusive; null for a waiting seizure, which has no term while it waits, and ``expires_on`` null for
    an action without a legal time limit); ``term_label`` states it as 自…起至…止."""

    case = CaseRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    court = serializers.SerializerMethodField(help_text="The code of the court whose case it is")
    action = serializers.CharField(source="action.code", read_only=True)
    notice = serializers.PrimaryKeyRelatedField(read_only=True)
    release_notice = serializers.PrimaryKeyRelatedField(read_only=True)
    term_label = serializers.SerializerMethodField()
    renewable = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = ["court", "id", "case", "unit", "action", "notice", "asset", "asset_kind", "amount", "priority",
                  "queue_position", "status", "starts_on", "expires_on", "term_label", "renewals", "renewable",
                  "release_notice", "released_at", "lapsed_on"]

    def get_court(self, obj) -> str:
        return court_code(obj.unit.court_id)

    def get_term_label(self, measure) -> str:
        return measure_term_label(measure)

    def get_renewable(self, measure) -> bool:
        return is_renewable(measure)


def _release_ground_choices():
    from .measures import release_ground_choices

    return release_ground_choices()


RELEASE_GROUND_CHOICES = _release_ground_choices()


class MeasureReleaseInputSerializer(serializers.Serializer):
    """``POST measures/{id}/release/`` (multipart): release one measure alone (查封扣押冻结规定 Art. 28)."""

    ground = serializers.ChoiceField(choices=RELEASE_GROUND_CHOICES, required=False, allow_blank=True, default="",
                                     help_text="Why the measure is released (Art. 28); completed and terminated "
                                               "are the conclusion's grounds, not a single release's. Required "
                                               "unless ``amount`` is given (a partial release: over_seizure)")
    ruling = RulingRefField(required=False, help_text="The release ruling (解除冻结/查封裁定书): a PDF, or the id of "
                                                      "a ruling already filed in the case; none: the portal draws one up")
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=500)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"), required=False,
                                      allow_null=True, default=None,
                                      help_text="Release this part only (查封扣押冻结规定 Art. 19: beyond the outstanding "
                                                "amount); the measure stays held for the rest")


class MeasureTakeEffectInputSerializer(serializers.Serializer):
    """``POST measures/{id}/take-effect/``: a waiting seizure takes effect; its term starts that day."""

    effective_on = serializers.DateField(help_text="The day the earlier measure was gone (YYYY-MM-DD)")


# ---------------------------------------------------------------- case import (API.md "Case import")

class CaseImportRowSerializer(serializers.Serializer):
    """One row of an import: a case in the shape of ``POST cases/``."""

    number = CleanCharField(max_length=60)
    title = CleanCharField(max_length=200)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=0)
    filed_on = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="立案: not after today; default today")
    parties = PartyInputSerializer(many=True, max_length=50)


@extend_schema_field(CaseImportRowSerializer)
class CaseImportRowField(serializers.Field):
    """A row read by ``CaseImportRowSerializer`` (every text through ``CleanCharField``) that never fails
    the request: a bad row is one ``error`` among the results, the others go on. Its value is
    ``(validated data or None, errors, the row's number as sent)``."""

    def to_internal_value(self, data):
        row = CaseImportRowSerializer(data=data)
        if row.is_valid():
            return row.validated_data, {}, row.validated_data["number"]
        number = data.get("number") if isinstance(data, dict) and isinstance(data.get("number"), str) else ""
        return None, row.errors, number[:60]

    def to_representation(self, value):
        return value


class CaseImportInputSerializer(serializers.Serializer):
    rows = serializers.ListField(child=CaseImportRowField(), min_length=1, max_length=IMPORT_MAX_ROWS,
                                 help_text=f"At most {IMPORT_MAX_ROWS} rows, each in the shape of POST cases/")
    dry_run = serializers.BooleanField(required=False, default=False,
                                       help_text="What would happen, row by row; nothing is written")


class CaseImportResultSerializer(serializers.Serializer):
    """What came of one row of an import. A plain serializer, not ``OutputSerializer``: ``id`` and
    ``errors`` are absent from some rows, and drf-spectacular marks every read-only field required."""

    row = serializers.IntegerField(help_text="The row's place in `rows`, 1 for the first")
    status = serializers.ChoiceField(choices=["created", "exists", "error"],
                                     help_text="exists: a case of that number is registered and is left as it "
                                               "is; with dry_run, created means it would be created")
    id = serializers.IntegerField(required=False, help_text="The case created or already registered")
    errors = serializers.DictField(required=False, child=serializers.ListField(),
                                   help_text="By field, as a 400 of POST cases/ reads them")


class CaseImportOutputSerializer(OutputSerializer):
    """One result per row of the request, in its order."""

    results = CaseImportResultSerializer(many=True)
