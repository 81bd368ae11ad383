from rest_framework import serializers

from members.models import Unit
from members.serializers import UnitRefSerializer

from .models import (
    AssetKind,
    Case,
    KeyCategory,
    Measure,
    MeasurePriority,
    Notice,
    NoticeEvent,
    NoticeRequest,
    Party,
    PartyKind,
    PartyRole,
)


class PartySerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["id", "role", "kind", "name", "id_number", "legal_representative"]

    def get_id_number(self, party) -> str:
        # Masked by default everywhere; the full value only through the audited reveal view.
        return party.masked_id


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    kind = serializers.ChoiceField(choices=PartyKind.choices, default=PartyKind.PERSON)
    name = serializers.CharField(max_length=120)
    id_number = serializers.CharField(max_length=40)
    legal_representative = serializers.CharField(max_length=60, required=False, allow_blank=True)


class CaseInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=0)
    parties = PartyInputSerializer(many=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=KeyCategory.choices),
                                       required=False, default=list)
    listed_supervision = serializers.BooleanField(required=False, default=False)
    responsible_leader = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class CaseSerializer(serializers.ModelSerializer):
    parties = PartySerializer(many=True, read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "title", "amount", "status", "outcome", "listed_supervision",
                  "responsible_leader", "categories", "parties", "created_at", "concluded_at"]

    def get_categories(self, case) -> list[str]:
        return [c.category for c in case.categories.all()]


class ConcludeInputSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConcludeOutputSerializer(CaseSerializer):
    release_notices = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "release_notices"]

    def get_release_notices(self, case) -> list[int]:
        return self.context.get("release_ids", [])


class CaseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "number"]


class NoticeEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = NoticeEvent
        fields = ["transition", "from_status", "to_status", "actor", "at", "note"]

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None


class NoticeRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeRequest
        fields = ["id", "notice", "kind", "grounds", "requested_due_at", "status", "filed_at", "decided_at",
                  "decision_note"]
        read_only_fields = fields


class NoticeRequestInputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    grounds = serializers.CharField(allow_blank=True)
    requested_due_at = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class DecideInputSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_at = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class NoticeSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    action = serializers.CharField(source="action.code", read_only=True)
    ack_overdue = serializers.SerializerMethodField()
    answer_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "kind", "number", "case", "unit", "action", "subject", "status", "original",
                  "issued_at", "ack_due_at", "due_at", "delivered_at", "acknowledged_at", "answered_at",
                  "outcome", "answer_detail", "result_amount", "closed_at", "cancelled_at", "paused_since",
                  "ack_overdue", "answer_overdue"]

    def get_ack_overdue(self, notice) -> bool:
        return notice.ack_overdue()

    def get_answer_overdue(self, notice) -> bool:
        return notice.answer_overdue()


class NoticeDetailSerializer(NoticeSerializer):
    events = NoticeEventSerializer(many=True, read_only=True)
    requests = NoticeRequestSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "events", "requests"]


class NoticeInputSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    action = serializers.CharField()
    subject = serializers.CharField()
    due_at = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    ruling = serializers.FileField(required=False)


class MeasureInputSerializer(serializers.Serializer):
    """What the unit took, for the measures register (freeze, seize, restrict, locate, publicize)."""

    asset = serializers.CharField(max_length=300, required=False, allow_blank=True)
    asset_kind = serializers.ChoiceField(choices=AssetKind.choices, required=False)
    priority = serializers.ChoiceField(choices=MeasurePriority.choices, required=False)
    queue_position = serializers.IntegerField(min_value=1, max_value=999, required=False, allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    result_amount = serializers.DecimalField(max_digits=15, decimal_places=2, required=False, allow_null=True)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    measure = MeasureInputSerializer(required=False)





class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MeasureSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    action = serializers.CharField(source="action.code", read_only=True)
    notice = serializers.PrimaryKeyRelatedField(read_only=True)
    release_notice = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "case", "unit", "action", "notice", "asset", "asset_kind", "amount", "priority",
                  "queue_position", "status", "starts_on", "expires_on", "renewals", "release_notice",
                  "released_at", "lapsed_on"]
