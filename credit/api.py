"""REST API of the dishonest-debtor list (API.md, credit rows). Thin: parse, call a service, serialize.

Identifiers are masked in every answer; the entries endpoints are for the court roles (others see an
empty list and 404), the check for any user attached to a member unit (others 403), throttled per user
(scope ``credit_check``) and audited.
"""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from cases import selectors as case_selectors
from linkage.api import (
    CleanCharField,
    IdCursorPagination,
    IdField,
    OutputModelSerializer,
    OutputSerializer,
    require_perm,
)
from linkage.pagination import query_id

from . import decisions, restrictions, selectors
from . import services as credit
from .models import (
    ConsumptionRestriction,
    CorrectionSource,
    CreditEntry,
    CreditEvent,
    CreditGround,
    CreditPerson,
    CreditPersonRole,
    CreditPush,
    Decision,
    RestrictedPerson,
    RevokeGround,
    ServiceWay,
)


def _case_party_input(request, serializer_class, perm: str):
    """(case, party, the other values) of a POST naming a case the user can see and one of its parties."""
    if not request.user.has_perm(perm):
        raise PermissionDenied()
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    case = case_selectors.cases_visible_to(request.user).filter(pk=values.pop("case")).first()
    if case is None:
        raise ValidationError({"case": ["No such case."]})
    return case, case.parties.filter(pk=values.pop("party")).first(), values


class CreditCheckThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` reading the rate from the current settings at each request, so a changed
    ``DEFAULT_THROTTLE_RATES`` (an override in a test, a settings reload) takes effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


# ---------------------------------------------------------------- serializers

class CreditPersonSerializer(OutputModelSerializer):
    role = serializers.CharField(read_only=True, help_text="legal_rep or responsible")
    id_number = serializers.CharField(source="masked_id", read_only=True)

    class Meta:
        model = CreditPerson
        fields = ["role", "name", "id_number"]


class CreditPersonInputSerializer(serializers.Serializer):
    role = CleanCharField(default=CreditPersonRole.RESPONSIBLE, help_text="legal_rep or responsible")
    name = CleanCharField(max_length=60)
    id_number = CleanCharField(max_length=40, required=False, allow_blank=True, default="")


class CreditEventSerializer(OutputModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CreditEvent
        fields = ["transition", "from_status", "to_status", "actor", "at", "note"]

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None


class CreditPushSerializer(OutputModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    action = serializers.CharField(source="push.action.code", read_only=True)
    push_status = serializers.CharField(source="push.status", read_only=True)
    withdrawal_status = serializers.SerializerMethodField()

    class Meta:
        model = CreditPush
        fields = ["unit", "round", "action", "push", "push_status", "withdrawal", "withdrawal_status",
                  "withdrawn_at"]

    def get_withdrawal_status(self, push) -> str | None:
        return push.withdrawal.status if push.withdrawal_id else None


class CreditDecisionSerializer(OutputModelSerializer):
    """A president's decision (失信规定 Art. 5): proposed, decided (its 决定书 numbered and sealed) or
    returned with a reason; its service on the debtor."""

    document = serializers.SerializerMethodField(help_text="{id, number, title} of the 决定书 once decided")
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "kind", "status", "case", "case_number", "entry", "order", "facts", "details",
                  "proposed_at", "decided_at", "returned_reason", "document", "served_on", "service_way",
                  "service_proof", "legacy"]

    def get_document(self, decision) -> dict | None:
        doc = decision.document
        return {"id": doc.pk, "number": doc.ruling_number, "title": doc.title} if doc else None


class CreditEntrySerializer(OutputModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    id_number = serializers.CharField(source="masked_id", read_only=True)
    persons = CreditPersonSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending → proposed → decided (the president's "
                                   "决定书) → published; then shielded, deleted (Art. 10) or revoked (correction)")

    class Meta:
        model = CreditEntry
        fields = ["id", "case", "case_number", "party", "name", "kind", "id_number", "legal_representative",
                  "persons", "court", "ground", "obligation", "decided_on", "status", "status_reason", "round",
                  "created_at", "published_at", "shielded_at", "revoked_at", "revoke_ground",
                  "period_years", "extension_years", "expires_on", "grace_until", "deleted_at",
                  "deletion_cause_on", "deletion_due_on", "correction_source"]


class CreditEntryDetailSerializer(CreditEntrySerializer):
    events = CreditEventSerializer(many=True, read_only=True)
    pushes = CreditPushSerializer(many=True, read_only=True)
    decisions = CreditDecisionSerializer(many=True, read_only=True)

    class Meta(CreditEntrySerializer.Meta):
        fields = [*CreditEntrySerializer.Meta.fields, "events", "pushes", "decisions"]


class ProposeInputSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=CreditGround.choices, required=False, allow_blank=True, default="",
                                     help_text="失信规定 Art. 1 (default: the entry's)")
    period_years = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                            max_value=5, help_text="Art. 2: none for able_refuses; 2, or 3-5 "
                                                                   "with the facts of a serious case")
    facts = CleanCharField(required=False, allow_blank=True, default="", max_length=4000)
    warning = CleanCharField(required=False, allow_blank=True, default="", max_length=200,
                             help_text="The 执行通知书 that warned the debtor of the risk (number, date)")


class CreditDecideInputSerializer(serializers.Serializer):
    note = CleanCharField(required=False, allow_blank=True, default="", max_length=1000)


class ReturnDecisionInputSerializer(serializers.Serializer):
    reason = CleanCharField(max_length=2000, help_text="Why it goes back to the clerk (required)")


class ServiceInputSerializer(serializers.Serializer):
    way = serializers.ChoiceField(choices=ServiceWay.choices)
    served_on = serializers.DateField()
    proof = serializers.FileField(required=False, allow_null=True, default=None,
                                  help_text="The proof of service (送达回证), a PDF")


class EarlyDeletionInputSerializer(serializers.Serializer):
    facts = CleanCharField(max_length=4000, help_text="How the debtor performed or corrected the conduct")


class CorrectionInputSerializer(serializers.Serializer):
    facts = CleanCharField(max_length=4000, help_text="What was wrong")
    source = serializers.ChoiceField(choices=CorrectionSource.choices, default=CorrectionSource.COURT)
    applied_on = serializers.DateField(required=False, allow_null=True, default=None)
    application = CleanCharField(required=False, allow_blank=True, default="", max_length=4000)


class CreditEntryInputSerializer(serializers.Serializer):
    case = IdField()
    party = IdField()
    ground = serializers.ChoiceField(choices=CreditGround.choices, default=CreditGround.ABLE_BUT_REFUSES)
    obligation = CleanCharField(required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    persons = CreditPersonInputSerializer(many=True, required=False, default=list)
    extension_years = serializers.IntegerField(required=False, default=0, min_value=0, max_value=3)
    extension_reason = CleanCharField(required=False, allow_blank=True, default="")
    grace_months = serializers.IntegerField(required=False, default=0, min_value=0, max_value=3)
    grace_warning = CleanCharField(required=False, allow_blank=True, default="")
    measures_note = CleanCharField(required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer):
    reason = CleanCharField(required=False, allow_blank=True, default="")


class ShieldInputSerializer(serializers.Serializer):
    reason = CleanCharField(help_text="Why the entry is shielded (required).")


class RevokeInputSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=RevokeGround.choices,
                                     help_text="The legal ground (失信规定 Art. 10, 12); missing or unknown: 400.")
    reason = CleanCharField(required=False, allow_blank=True, default="")


class CreditCheckEntrySerializer(OutputModelSerializer):
    """What a checking unit learns: the published entry, identifiers masked, no internal ids."""

    case_number = serializers.CharField(source="case.number", read_only=True)
    id_number = serializers.CharField(source="masked_id", read_only=True)
    persons = CreditPersonSerializer(many=True, read_only=True)
    matched_as = serializers.SerializerMethodField()

    class Meta:
        model = CreditEntry
        fields = ["name", "kind", "id_number", "matched_as", "legal_representative", "persons", "case_number",
                  "court", "ground", "ground_label", "obligation", "published_at", "listed_since"]

    ground_label = serializers.CharField(source="get_ground_display", read_only=True)
    listed_since = serializers.DateTimeField(source="first_published_at", read_only=True)

    def get_matched_as(self, entry) -> str:
        return credit.matched_as(entry, self.context["identifier"])


class CreditCheckQuerySerializer(serializers.Serializer):
    """The query of ``GET credit-check/``. ``purpose`` is required since issue 29 (a single check could
    otherwise un-mask a published debtor by guessing): the number of a notice addressed to the caller's
    unit, or of a case the unit may see; another unit's is refused as an unknown number is (400)."""

    id_number = CleanCharField(required=False, allow_blank=True, default="", max_length=40,
                               help_text="Resident ID number or unified social credit code")
    purpose = CleanCharField(required=False, allow_blank=True, default="", max_length=80,
                             help_text="Required: the number of the notice addressed to your unit, or of its "
                                       "case, that this check is for (e.g. （2026）鄂1022执123号-001); recorded")
    reason = CleanCharField(required=False, allow_blank=True, default="", max_length=200,
                            help_text="Why you check, kept in the audit log (a unit's system that gives none is "
                                      "logged as an API check)")
    name = CleanCharField(required=False, allow_blank=True, default="", max_length=120,
                          help_text="The person's name: with it, only an entry of that name and ID answers "
                                    "(Art. 19, 26)")


class CreditCheckResultSerializer(OutputSerializer):
    listed = serializers.BooleanField()
    entries = CreditCheckEntrySerializer(many=True)


class BulkCheckInputSerializer(serializers.Serializer):
    id_numbers = serializers.ListField(child=CleanCharField(max_length=40, allow_blank=True),
                                       max_length=credit.BULK_MAX_ROWS,
                                       help_text=f"At most {credit.BULK_MAX_ROWS}; each counts as one check.")
    reason = CleanCharField(max_length=200, help_text="Why the unit checks this list (required, audited).")


class BulkCheckEntrySerializer(OutputModelSerializer):
    """The public fields of a listed entry, and no other identifier."""

    case_number = serializers.CharField(source="case.number", read_only=True)
    id_number = serializers.CharField(source="masked_id", read_only=True)

    class Meta:
        model = CreditEntry
        fields = ["name", "id_number", "case_number", "court"]


class BulkCheckRowSerializer(OutputSerializer):
    result = serializers.CharField(help_text="listed, not_listed, invalid, or empty for an empty value")
    entry = BulkCheckEntrySerializer(allow_null=True)


class BulkCheckResultSerializer(OutputSerializer):
    results = BulkCheckRowSerializer(many=True)


# ---------------------------------------------------------------- views

class CreditEntryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.credit_entries_for_list(self.request.user, status=self.request.query_params.get(
                "status", "")).prefetch_related("persons")
        return selectors.credit_entry_for_detail(self.request.user)

    def get_serializer_class(self):
        return CreditEntrySerializer if self.action == "list" else CreditEntryDetailSerializer

    def _answer(self, entry, code=status.HTTP_200_OK):
        return Response(CreditEntryDetailSerializer(selectors.credit_entry_for_detail(self.request.user)
                                                    .get(pk=entry.pk)).data, status=code)

    @extend_schema(request=CreditEntryInputSerializer, responses={201: CreditEntryDetailSerializer})
    def create(self, request, *args, **kwargs):
        case, party, values = _case_party_input(request, CreditEntryInputSerializer, "credit.add_creditentry")
        entry = credit.credit_entry_create(actor=request.user, case=case, party=party, **values)
        return self._answer(entry, status.HTTP_201_CREATED)

    INPUTS = {"publish": ReasonInputSerializer, "shield": ShieldInputSerializer, "revoke": RevokeInputSerializer,
              "republish": ShieldInputSerializer}

    def _move(self, request, name):
        entry = self.get_object()
        data = self.INPUTS[name](data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(credit.CREDIT_SERVICES[name](actor=request.user, entry=entry, **data.validated_data))

    @extend_schema(request=ReasonInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move(request, "publish")

    @extend_schema(request=ShieldInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def shield(self, request, pk=None):
        return self._move(request, "shield")

    @extend_schema(request=RevokeInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """An Art. 10 ground deletes the entry (status ``deleted``); ``wrongly_listed`` revokes it."""
        return self._move(request, "revoke")

    @extend_schema(request=ShieldInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def republish(self, request, pk=None):
        """Shielded → published again: a new decision with its reason."""
        return self._move(request, "republish")

    @extend_schema(request=ProposeInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """The clerk proposes the listing to the president (失信规定 Art. 5): pending → proposed."""
        require_perm(request, "credit.add_creditentry")
        entry = self.get_object()
        data = ProposeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions.credit_entry_propose(actor=request.user, entry=entry, **data.validated_data)
        return self._answer(entry)

    @extend_schema(request=CreditDecideInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The president decides the listing: its 决定书 is issued and sealed → decided (others: 403)."""
        require_perm(request, "credit.decide_decision")
        entry = self.get_object()
        data = CreditDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions.credit_entry_decide(actor=request.user, entry=entry, **data.validated_data)
        return self._answer(entry)

    @extend_schema(request=ReturnDecisionInputSerializer, responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_clerk(self, request, pk=None):
        """The president returns the proposal with a reason → pending (others: 403)."""
        require_perm(request, "credit.decide_decision")
        entry = self.get_object()
        data = ReturnDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions.credit_entry_return(actor=request.user, entry=entry, **data.validated_data)
        return self._answer(entry)

    @extend_schema(request={"multipart/form-data": ServiceInputSerializer,
                            "application/json": ServiceInputSerializer},
                   responses={200: CreditEntryDetailSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def service(self, request, pk=None):
        """The 决定书 served on the debtor: the way, the day, the proof (a PDF)."""
        require_perm(request, "credit.add_creditentry")
        entry = self.get_object()
        data = ServiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions.credit_entry_service(actor=request.user, entry=entry, **data.validated_data)
        return self._answer(entry)

    @extend_schema(request=EarlyDeletionInputSerializer, responses={201: CreditDecisionSerializer})
    @action(detail=True, methods=["post"], url_path="early-deletion")
    def early_deletion(self, request, pk=None):
        """失信规定 Art. 2: propose deleting a fixed-term entry early; the president decides."""
        require_perm(request, "credit.revoke_creditentry")
        entry = self.get_object()
        data = EarlyDeletionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = decisions.credit_entry_propose_early_deletion(actor=request.user, entry=entry,
                                                                 **data.validated_data)
        return Response(CreditDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CorrectionInputSerializer, responses={201: CreditDecisionSerializer})
    @action(detail=True, methods=["post"])
    def correction(self, request, pk=None):
        """失信规定 Art. 9, 12: propose correcting a wrong listing; the president decides."""
        require_perm(request, "credit.revoke_creditentry")
        entry = self.get_object()
        data = CorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = decisions.credit_entry_propose_correction(actor=request.user, entry=entry,
                                                             **data.validated_data)
        return Response(CreditDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """``credit-decisions/``: the president's decisions (court roles); decide and return are the
    president's alone (others 403)."""

    serializer_class = CreditDecisionSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        qs = selectors.decisions_visible_to(self.request.user)
        wanted = self.request.query_params.get("status", "")
        return qs.filter(status=wanted) if wanted else qs

    def _answer(self, decision):
        return Response(CreditDecisionSerializer(self.get_queryset().get(pk=decision.pk)).data)

    @extend_schema(request=CreditDecideInputSerializer, responses={200: CreditDecisionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        require_perm(request, "credit.decide_decision")
        decision = self.get_object()
        data = CreditDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(decisions.decision_decide(actor=request.user, decision=decision, **data.validated_data))

    @extend_schema(request=ReturnDecisionInputSerializer, responses={200: CreditDecisionSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_clerk(self, request, pk=None):
        require_perm(request, "credit.decide_decision")
        decision = self.get_object()
        data = ReturnDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(decisions.decision_return(actor=request.user, decision=decision, **data.validated_data))

    @extend_schema(request={"multipart/form-data": ServiceInputSerializer,
                            "application/json": ServiceInputSerializer}, responses={200: CreditDecisionSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def service(self, request, pk=None):
        require_perm(request, "credit.add_creditentry")
        decision = self.get_object()
        data = ServiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(decisions.decision_service(actor=request.user, decision=decision,
                                                       **data.validated_data))


class CreditCheckViewSet(viewsets.ViewSet):
    """``GET credit-check/?id_number=...&purpose=...&reason=...``: is this person or organisation on the
    list? ``purpose``: the case or notice of the caller's unit the check is for (required)."""

    throttle_classes = [CreditCheckThrottle]
    throttle_scope = "credit_check"

    def check_permissions(self, request):
        super().check_permissions(request)
        if not credit.can_check(request.user):
            self.permission_denied(request, message="Only a member unit's users may check the list.")

    @extend_schema(
        parameters=[OpenApiParameter("id_number", str, required=True,
                                     description="Resident ID number or unified social credit code"),
                    OpenApiParameter("purpose", str, required=True,
                                     description="The number of the notice addressed to your unit, or of its "
                                                 "case, that this check is for; another unit's is a 400 as an "
                                                 "unknown number is"),
                    OpenApiParameter("name", str, required=False,
                                     description="The person's name: with it, only an entry of that name "
                                                 "and ID answers (Art. 19, 26)"),
                    OpenApiParameter("reason", str, required=False,
                                     description="Why you check, kept in the audit log (a unit's system "
                                                 "that gives none is logged as an API check)")],
        responses={200: CreditCheckResultSerializer},
    )
    def list(self, request):
        # The reason is asked for, not required, here (the browser form requires it); the purpose is
        # required on both (issue 29). Beyond the unit's daily single checks: 429. Every check is logged.
        query = CreditCheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        reason = values["reason"].strip() or _("API check (no reason given)")
        try:
            result = credit.credit_check(actor=request.user, id_number=values["id_number"], reason=reason,
                                         purpose=values["purpose"], name=values["name"])
        except credit.CheckQuotaExceeded as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        entries = CreditCheckEntrySerializer(result["entries"], many=True,
                                             context={"identifier": result["identifier"]}).data
        return Response({"listed": result["listed"], "entries": entries})

    @extend_schema(request=BulkCheckInputSerializer, responses={200: BulkCheckResultSerializer})
    @action(detail=False, methods=["post"], throttle_classes=[])
    def bulk(self, request):
        """``POST credit-check/bulk/`` ``{id_numbers: [...], reason}``: a result per value, in order.
        Each value counts against the per-minute check rate and the unit's daily rows (over either: 429,
        nothing checked); each is audited."""
        data = BulkCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rows = credit.credit_check_rows(actor=request.user, values=data.validated_data["id_numbers"],
                                            reason=data.validated_data["reason"], batch="API")
        except credit.CheckQuotaExceeded as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return Response({"results": BulkCheckRowSerializer(
            [{"result": code, "entry": entry} for code, entry in rows], many=True).data})


# ---------------------------------------------------------------- consumption restriction orders

class RestrictedPersonSerializer(OutputModelSerializer):
    id_number = serializers.CharField(source="masked_id", read_only=True)

    class Meta:
        model = RestrictedPerson
        fields = ["role", "name", "id_number"]


class RestrictionSerializer(OutputModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    id_number = serializers.CharField(source="masked_id", read_only=True)
    persons = RestrictedPersonSerializer(many=True, read_only=True)

    class Meta:
        model = ConsumptionRestriction
        fields = ["id", "case", "case_number", "party", "name", "kind", "id_number", "persons", "acts", "basis",
                  "period_text", "minor_note", "status", "grace_until", "signed_at", "issued_at", "served_on",
                  "service_way", "lifted_at", "lift_ground", "lift_reason", "lift_document"]


class RestrictedPersonInputSerializer(serializers.Serializer):
    """A further person named in an organisation's order (限高规定 Art. 3): the one input rule for the
    name as for every text (a direction override in a name would reach the units' notices)."""

    role = CleanCharField(max_length=20, required=False, allow_blank=True, default="")
    name = CleanCharField(max_length=60, required=False, allow_blank=True, default="")
    id_number = CleanCharField(max_length=40, required=False, allow_blank=True, default="")


class RestrictionInputSerializer(serializers.Serializer):
    case = IdField()
    party = IdField()
    acts = serializers.ListField(child=CleanCharField(max_length=20), required=False, default=list, max_length=20)
    basis = CleanCharField(required=False, allow_blank=True, default="")
    on_application = serializers.BooleanField(required=False, default=True)
    persons = RestrictedPersonInputSerializer(many=True, required=False, default=list, max_length=20)
    grace_months = serializers.IntegerField(required=False, default=0, min_value=0, max_value=3)
    minor_note = CleanCharField(required=False, allow_blank=True, default="", max_length=2000,
                                help_text="Required for a debtor under 18: why the order is needed")


class LiftInputSerializer(serializers.Serializer):
    ground = CleanCharField(max_length=40)
    reason = CleanCharField(required=False, allow_blank=True, default="")


class PermitInputSerializer(serializers.Serializer):
    acts = serializers.ListField(child=CleanCharField(max_length=20), max_length=9)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="At most a month after starts_on (法发〔2019〕35号 item 17)")
    reason = CleanCharField(max_length=2000)


class ConsumptionRestrictionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Orders: the court sees all; a unit only those pushed to it (another unit's: 404)."""

    serializer_class = RestrictionSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        qs = selectors.restriction_for_detail(self.request.user)
        case = query_id(self.request.query_params.get("case", ""))
        return qs.filter(case_id=case) if case is not None else qs

    def _answer(self, order, code=status.HTTP_200_OK):
        return Response(RestrictionSerializer(self.get_queryset().get(pk=order.pk)).data, status=code)

    @extend_schema(request=RestrictionInputSerializer, responses={201: RestrictionSerializer})
    def create(self, request, *args, **kwargs):
        case, party, values = _case_party_input(request, RestrictionInputSerializer,
                                                "credit.add_consumptionrestriction")
        return self._answer(restrictions.restriction_draft(actor=request.user, case=case, party=party, **values),
                            status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RestrictionSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._answer(restrictions.restriction_sign(actor=request.user, order=self.get_object()))

    @extend_schema(request=None, responses={200: RestrictionSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._answer(restrictions.restriction_issue(actor=request.user, order=self.get_object()))

    @extend_schema(request=LiftInputSerializer, responses={200: RestrictionSerializer})
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """限高规定 Art. 9: the clerk proposes the lifting (the order stays issued until the president
        decides, ``credit-decisions/{id}/decide/``); asked by the president, it is decided at once."""
        require_perm(request, "credit.lift_consumptionrestriction")
        data = LiftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(decisions.restriction_lift(actor=request.user, order=self.get_object(),
                                                          **data.validated_data))

    @extend_schema(request=ReturnDecisionInputSerializer, responses={200: RestrictionSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_clerk(self, request, pk=None):
        """The president returns a draft with the reason (others: 403)."""
        require_perm(request, "credit.sign_consumptionrestriction")
        order = self.get_object()
        data = ReturnDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(decisions.restriction_return(actor=request.user, order=order, **data.validated_data))

    @extend_schema(request=None, responses={200: RestrictionSerializer})
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        require_perm(request, "credit.add_consumptionrestriction")
        return self._answer(decisions.restriction_resubmit(actor=request.user, order=self.get_object(),
                                                           basis=str(request.data.get("basis", ""))[:2000]))

    @extend_schema(request={"multipart/form-data": ServiceInputSerializer,
                            "application/json": ServiceInputSerializer}, responses={200: RestrictionSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def service(self, request, pk=None):
        """The order served on the debtor (限高规定 Art. 6)."""
        require_perm(request, "credit.add_consumptionrestriction")
        order = self.get_object()
        data = ServiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(decisions.restriction_service(actor=request.user, order=order, **data.validated_data))

    @extend_schema(request=PermitInputSerializer, responses={201: CreditDecisionSerializer})
    @action(detail=True, methods=["post"])
    def permit(self, request, pk=None):
        """法发〔2019〕35号 item 17: propose a one-off permission (at most a month); the president decides."""
        require_perm(request, "credit.lift_consumptionrestriction")
        order = self.get_object()
        data = PermitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Proposed by the clerk; asked by the president, approved at once (as on the order's page).
        decision = decisions.restriction_permit(actor=request.user, order=order, **data.validated_data)
        return Response(CreditDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
