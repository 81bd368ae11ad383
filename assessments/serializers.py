
from django.urls import reverse
from rest_framework import serializers

from linkage.api import CleanCharField, IdListField, MaskedTextField, OutputModelSerializer, OutputSerializer
from members.models import Unit
from members.serializers import UnitRefSerializer

from .models import (
    AssessmentEvent,
    AssessmentPeriod,
    AssessmentScore,
    Indicator,
    IndicatorCode,
    NonCooperationReport,
    ReferralTask,
    ReportOutcome,
)

OUTCOMES = " | ".join(ReportOutcome.values)


class AssessmentEventSerializer(OutputModelSerializer):
    actor = serializers.StringRelatedField()
    note = MaskedTextField()

    class Meta:
        model = AssessmentEvent
        fields = ["transition", "from_status", "to_status", "actor", "at", "note"]


class ReferralTaskSerializer(OutputModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text="open | answered")
    report = serializers.PrimaryKeyRelatedField(read_only=True)
    reported_unit = serializers.SerializerMethodField()
    answer = MaskedTextField()

    class Meta:
        model = ReferralTask
        fields = ["id", "report", "reported_unit", "unit", "status", "created_at", "answer", "answered_at"]

    def get_reported_unit(self, task) -> str:
        return task.report.unit.code


class ReportSerializer(OutputModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    notices = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True, help_text="non_execution | passive | refusal | obstruction")
    status = serializers.CharField(read_only=True, help_text="filed | answered | decided")
    outcome = serializers.CharField(read_only=True, help_text=OUTCOMES)
    filed_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    detail = MaskedTextField()
    unit_answer = MaskedTextField()
    outcome_detail = MaskedTextField()

    class Meta:
        model = NonCooperationReport
        fields = ["id", "unit", "kind", "detail", "notices", "concerns_cadres", "status", "filed_by", "filed_at",
                  "unit_answer", "answered_at", "outcome", "outcome_detail", "decided_by", "decided_at"]

    def get_notices(self, report) -> list[int]:
        return [n.pk for n in report.notices.all()]


class ReportDetailSerializer(ReportSerializer):
    tasks = ReferralTaskSerializer(many=True, read_only=True)
    events = AssessmentEventSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "tasks", "events"]


class NonCooperationReportInputSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.active())
    kind = CleanCharField(help_text="non_execution | passive | refusal | obstruction")
    detail = CleanCharField(max_length=10000)
    notices = IdListField(required=False, default=list)
    concerns_cadres = serializers.BooleanField(required=False, default=False)


class ReportDecideInputSerializer(serializers.Serializer):
    outcome = CleanCharField(help_text=OUTCOMES)

    def validate_outcome(self, value):
        if value not in ReportOutcome.values:
            raise serializers.ValidationError(f"Choose one of {OUTCOMES}.")
        return value
    detail = CleanCharField(required=False, allow_blank=True, default="")


class DetailInputSerializer(serializers.Serializer):
    detail = CleanCharField()


class IndicatorSerializer(OutputModelSerializer):
    label = serializers.CharField(source="get_code_display", read_only=True)

    class Meta:
        model = Indicator
        fields = ["code", "label", "weight", "per_item", "min_sample", "enabled"]


class PeriodSerializer(OutputModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="open | finalised")

    class Meta:
        model = AssessmentPeriod
        fields = ["id", "name", "starts_on", "ends_on", "status", "computed_at", "as_of", "finalised_at",
                  "indicators"]


class PeriodInputSerializer(serializers.Serializer):
    name = CleanCharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class IndicatorInputSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=IndicatorCode.choices)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)
    per_item = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)
    min_sample = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    enabled = serializers.BooleanField(required=False)


class SchemeInputSerializer(serializers.Serializer):
    indicators = IndicatorInputSerializer(many=True)


class ScoreSerializer(OutputModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    score = serializers.FloatField()
    metrics = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentScore
        fields = ["unit", "score", "rank", "data_quality", "metrics", "computed_at"]

    def get_metrics(self, score) -> dict:
        """The stored metrics, each indicator with the URL of the rows behind it."""
        request = self.context.get("request")
        base = reverse("assessment-period-evidence", args=[score.period_id])
        out = {}
        for key, value in score.metrics.items():
            if isinstance(value, dict) and "kind" in value:
                url = f"{base}?unit={score.unit.code}&indicator={key}"
                value = {**value, "evidence": request.build_absolute_uri(url) if request else url}
            out[key] = value
        return out


class EvidenceSerializer(OutputSerializer):
    """One row behind a figure (a notice, an action item, a finding or a case), as counted: a finalised
    period's rows come from its snapshot, an open period's are judged at its cut-off."""

    id = serializers.IntegerField(source="object_id")
    type = serializers.CharField(source="kind")
    label = MaskedTextField()
    detail = MaskedTextField()
    met = serializers.BooleanField()
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
