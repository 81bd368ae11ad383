from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels

from .court_keys import CourtKeyMixin


class UnitKind(models.TextChoices):
    PARTY = "party", _("Party committee body")
    GOVERNMENT = "government", _("Government department")
    JUDICIAL = "judicial", _("Judicial or procuratorial body")
    BANK = "bank", _("Bank")
    INSURANCE = "insurance", _("Insurance company")
    OTHER = "other", _("Other")


class ActionType(ChoiceLabels, models.Model):
    """An assistance action (协助事项, DOMAIN.md section 4) with its default deadlines."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    holds_measure = models.BooleanField(
        _("leaves an active measure"), default=False,
        help_text=_("A measure that must be released when the case concludes (Art. 35)."),
    )
    release_name = models.CharField(_("release name"), max_length=64, blank=True)
    ack_working_days = models.PositiveSmallIntegerField(_("working days to acknowledge"), default=1)
    answer_working_days = models.PositiveSmallIntegerField(_("working days to answer"), default=5)
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent: hours to answer"), null=True, blank=True,
        help_text=_("If set, the action is urgent: deadlines are counted in hours, not working days."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, blank=True,
        help_text=_("Printed on the assistance notice, e.g. 《中华人民共和国民事诉讼法》第二百五十三条"))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("assistance action")
        verbose_name_plural = _("assistance actions")

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def of_court(self, court_id):
        """The members of one court's joint conference."""
        return self.filter(court_id=court_id)

    def asked_by_clerks(self):
        """Units a clerk may send notices to: every member but the court itself (``court``, or a later
        county's ``2-court``)."""
        return self.exclude(code="court").exclude(code__endswith="-court")


class Unit(CourtKeyMixin, ChoiceLabels, models.Model):
    """A member unit of the joint conference (Art. 3). Units are data: the office may add one."""

    # Unit codes name units in the REST contract, so they stay unique in the install: a second county's
    # units carry its prefix (2-police).
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT,
                              related_name="units", verbose_name=_("court"),
                              help_text=_("The court whose joint conference the unit is a member of."))
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.GOVERNMENT)
    articles = models.CharField(_("articles"), max_length=60, blank=True, help_text=_("e.g. 14, 15"))
    duties = models.TextField(_("duties"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    actions = models.ManyToManyField(ActionType, through="Capability", related_name="units", blank=True,
                                     verbose_name=_("assistance actions"))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    # Point-to-point integration: notices are POSTed to the unit's own system, signed with this secret.
    webhook_url = models.URLField(_("webhook URL"), blank=True,
                                  help_text=_("The unit's system receives notices here (signed JSON)."))
    webhook_secret = models.CharField(_("webhook secret"), max_length=64, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        permissions = [
            ("handle_unit_work", _("Can handle the unit's notices and tasks")),
            ("view_unit_work", _("Can read the unit's notices, tasks and scores")),
        ]

    def __str__(self):
        return self.name


class Capability(ChoiceLabels, models.Model):
    """An action a unit can be asked to do, and what it covers there (e.g. police query, Art. 15)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="capabilities",
                             verbose_name=_("member unit"))
    action = models.ForeignKey(ActionType, on_delete=models.PROTECT, related_name="capabilities",
                               verbose_name=_("assistance action"))
    covers = models.TextField(_("what it covers"), blank=True)

    class Meta:
        ordering = ["unit", "action__sort_order"]
        constraints = [models.UniqueConstraint(fields=["unit", "action"], name="capability_unique")]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self):
        return f"{self.unit} · {self.action}"


class User(CourtKeyMixin, AbstractUser):
    """A portal user. Belongs to at most one unit (DOMAIN.md section 2); roles are groups."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("unit")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT,
                              related_name="users", verbose_name=_("court"),
                              help_text=_("The court (and its joint conference) the account works for."))
    # Bumped when the account is disabled or moved off its unit: every session signed with the old value
    # stops being valid at its next request (see _get_session_auth_hash).
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        # A unit's member works for the unit's court: the one court key their scope and pages read.
        fields = kwargs.get("update_fields")
        if self.unit_id and (fields is None or {"unit", "court"} & set(fields)):
            unit = self.__dict__.get("_state") and self._state.fields_cache.get("unit")
            self.court_id = unit.court_id if unit is not None else (
                Unit.objects.filter(pk=self.unit_id).values_list("court_id", flat=True).first() or self.court_id)
        super().save(*args, **kwargs)

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    def acting_for(self) -> dict[int, int]:
        """unit id → the liaison this user stands in for there today (an absence naming them deputy);
        read once per request, by the event rows of what they do (``linkage.events``)."""
        cached = self.__dict__.get("_acting_for")
        if cached is None:
            today = timezone.localdate()
            cached = dict(Absence.objects.filter(deputy=self, starts_on__lte=today, ends_on__gte=today,
                                                 cancelled_at__isnull=True).values_list("unit_id", "liaison_id"))
            self.__dict__["_acting_for"] = cached
        return cached

    def _get_session_auth_hash(self, secret=None):
        from django.utils.crypto import salted_hmac

        key_salt = "members.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_epoch}", secret=secret,
                           algorithm="sha256").hexdigest()


class LiaisonAssignment(ChoiceLabels, models.Model):
    """Who held a unit's liaison post and when (Art. 4: one liaison officer per unit)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="liaison_assignments",
                             verbose_name=_("member unit"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison_posts",
                             verbose_name=_("user"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned by"),
    )

    class Meta:
        ordering = ["unit", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(ended_at__isnull=True), name="one_current_liaison_per_unit"
            )
        ]
        verbose_name = _("liaison assignment")
        verbose_name_plural = _("liaison assignments")

    def __str__(self):
        return f"{self.unit}: {self.user}"


class UnitApiToken(ChoiceLabels, models.Model):
    """A token for a unit's own system: it may read, acknowledge and answer that unit's notices and
    nothing else. Only a hash is stored; the token is shown once, when it is made."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("member unit"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8,
                              help_text=_("The first characters, to tell tokens apart."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        ordering = ["unit", "-created_at"]
        verbose_name = _("unit system token")
        verbose_name_plural = _("unit system tokens")

    def __str__(self):
        return f"{self.unit.code} {self.prefix}…"


class ApiTokenIssue(ChoiceLabels, models.Model):
    """When and under which credentials a user's API token (DRF ``Token``) was issued. A token without
    this row, older than ``API_TOKEN_LIFETIME_DAYS``, or issued before the user's password or session
    epoch last changed (disabled, moved off the unit, a role taken away) is refused
    (``members.authentication.ExpiringTokenAuthentication``)."""

    token = models.OneToOneField("authtoken.Token", on_delete=models.CASCADE, primary_key=True,
                                 related_name="issue", verbose_name=_("token"))
    # The user's session auth hash at issue: HMAC of the password hash and the session epoch.
    auth_hash = models.CharField(_("session auth hash at issue"), max_length=64)
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token issue")
        verbose_name_plural = _("API token issues")

    def __str__(self):
        return f"{self.token.user_id} {self.token.key[:6]}…"


class AccessLog(ChoiceLabels, models.Model):
    """Who saw a full personal identifier or downloaded a document, and why (audited reads)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("user"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    what = models.CharField(_("what was accessed"), max_length=40)
    object_repr = models.CharField(_("object representation"), max_length=120)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        db_table = "cases_accesslog"  # moved from ``cases`` (migration members.0008): same table, same rows
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "at"], name="accesslog_user_at")]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.what} {self.object_repr}"


class ChannelKind(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom group robot")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class Channel(ChoiceLabels, models.Model):
    """Where a unit's (or one person's) reminders reach people: a chat group's robot, a phone, an address.
    The secret (a DingTalk robot's signing secret) is write-only: stored like the webhook secrets, never
    shown back. ``failures`` counts failed sends in a row; at ``CHANNEL_FAILING_AFTER`` the office sees it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="channels", verbose_name=_("member unit"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="channels", verbose_name=_("person"),
                             help_text=_("Empty: the unit's channel. Set: this person's own (a clerk's SMS)."))
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    target = models.CharField(_("target"), max_length=500,
                              help_text=_("The robot's webhook URL, a mobile number or an e-mail address."))
    secret = models.CharField(_("secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        ordering = ["unit", "kind", "id"]
        indexes = [models.Index(fields=["unit", "active"], name="channel_unit_active")]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()}"

    @property
    def is_robot(self) -> bool:
        return self.kind in (ChannelKind.DINGTALK, ChannelKind.WECOM)

    @property
    def failing(self) -> bool:
        return self.failures >= settings.CHANNEL_FAILING_AFTER


class ChannelMessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed permanently")


class ChannelMessage(ChoiceLabels, models.Model):
    """The outbox of the channels, one row per message per channel, written in the transaction that
    decides it; the unique key makes it idempotent, the sweep re-sends what is pending (a lost task or a
    dead worker loses nothing), and the rows of the last minute are a robot's rate limit."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages",
                                verbose_name=_("channel"))
    key = models.CharField(_("key"), max_length=120, help_text=_("e.g. notice-123-issue: one message per key"))
    purpose = models.CharField(_("purpose"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    # The date an SMS template prints beside the title (a template takes short variables, not markdown).
    due_text = models.CharField(_("due"), max_length=40, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ChannelMessageStatus.choices,
                              default=ChannelMessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="channel_message_key")]
        indexes = [models.Index(fields=["status", "created_at"], name="channel_message_status"),
                   models.Index(fields=["channel", "sent_at"], name="channel_message_sent")]
        verbose_name = _("channel message")
        verbose_name_plural = _("channel messages")

    def __str__(self):
        return f"{self.channel_id} {self.key} {self.status}"


class Absence(ChoiceLabels, models.Model):
    """A liaison officer away (leave, training, a secondment) from one day to another, both included, as
    Asia/Shanghai counts days. Art. 4 keeps one liaison per unit: the deputy acts for them in the period
    (sees and works the unit's notices, every event names whom they acted for), the post does not move."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="absences", verbose_name=_("member unit"))
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences",
                                verbose_name=_("liaison officer"))
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="deputising", verbose_name=_("deputy"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    deputy_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("deputy appointed by"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="absence_ends_after_start")]
        indexes = [models.Index(fields=["deputy", "starts_on", "ends_on"], name="absence_deputy_days"),
                   models.Index(fields=["unit", "ends_on"], name="absence_unit_days")]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")

    def __str__(self):
        return f"{self.liaison} {self.starts_on}–{self.ends_on}"


class Court(ChoiceLabels, models.Model):
    """A people's court with its own joint conference (issue 30): its code is its 代字 of 法〔2015〕137号
    (鄂1022), the part of a case number that names the court; ``parent`` is the court that supervises its
    enforcement (the intermediate court's 执行指挥中心 above a basic court). The install's first court is the
    one of ``COURT_CODE`` (migration members.0012_first_court)."""

    code = models.CharField(_("court code"), max_length=12, unique=True,
                            help_text=_("The court's code in case numbers, e.g. 鄂1022 (法〔2015〕137号)."))
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("supervising court"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    def __str__(self):
        return self.name
