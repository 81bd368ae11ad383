"""Shared API plumbing: pagination, the mapping of domain errors to HTTP answers, and the input fields
and parser that keep hostile input a 400 (control characters, ids beyond 64 bits, deep JSON)."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from linkage.statemachine import InvalidTransition

from .identity import mask_identifiers_in_text
from .pagination import MAX_ID
from .text import FREE_TEXT_MAX_LENGTH, clean_text


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class IdCursorPagination(CursorPagination):
    """Keyset pagination on the primary key: constant cost however deep the page."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow this."
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, InvalidTransition):
        exc = Conflict(exc.message)
    elif isinstance(exc, DjangoValidationError):
        return Response(_flatten(exc), status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    # Imported here, not above: rest_framework.views reads DEFAULT_PARSER_CLASSES (this module's JSONParser)
    # when it is first imported, so a process whose first DRF import is this module (celery beat, whose
    # system checks resolve DEFAULT_PAGINATION_CLASS first) would find this module half-initialised.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)


def _flatten(exc: DjangoValidationError):
    """Field errors shaped as DRF shapes them: ``{"field": ["message", ...]}``."""
    body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    # A domain error may carry structured data the client acts on (cases: the unmet 终本 conditions).
    payload = getattr(exc, "payload", None)
    return {**body, **payload} if payload else body


def require_perm(request, perm: str) -> None:
    """Refuse a role that may not do this at all before the body is read (403, not field errors).
    The service checks again; this only decides which answer comes first."""
    if not request.user.has_perm(perm):
        raise exceptions.PermissionDenied()


# ---------------------------------------------------------------- input that cannot hurt



class CleanCharField(serializers.CharField):
    """A text input without control characters (tab and line feed kept, CR LF made LF) and with a length
    limit (``FREE_TEXT_MAX_LENGTH`` unless the field says otherwise)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", FREE_TEXT_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = clean_text(data)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages, code="bidi") from None
        return super().to_internal_value(data)


class MaskedTextField(serializers.CharField):
    """Free text as anyone is shown it: identifier-shaped runs masked (``linkage.identity``, the disclosure rule of docs/security.md); the stored
    text is unchanged."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return mask_identifiers_in_text(super().to_representation(value))


class IdField(serializers.IntegerField):
    """A primary key in a body: a whole number from 1 to 2^63 − 1, or a 400 (never a database overflow)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # IntegerField takes 1.0 and "1.0"; an id is neither a float nor a bool.
        if isinstance(data, (bool, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdListField(serializers.ListField):
    """A list of ids (``cases``, ``agenda_items``, ``notices``…): each an ``IdField``, at most
    ``max_length`` of them (200 unless said)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", IdField())
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)


MAX_JSON_DEPTH = 32


def _json_depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (iteratively: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting deeper than ``MAX_JSON_DEPTH`` answered 400 instead of exhausting
    the interpreter's recursion (which DRF's parser lets through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        if _json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


class OutputModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that only writes responses, its fields built from the model once per class.

    DRF builds a ModelSerializer's fields from the model's metadata (field kwargs, labels, validators)
    every time one is instantiated: a notice's detail with its events, attachments and requests pays
    that four times per response. Here the fields built the first
    time are kept per class and each instance gets copies (what DRF does with declared fields anyway:
    ``Field.__deepcopy__`` builds each field again from its arguments, a queryset without its cache).
    Labels stay lazy, so a response still speaks the request's language. Every field is read-only: an
    output serializer takes no input by mistake (input serializers use ``CleanCharField``)."""

    def get_fields(self):
        import copy

        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return _read_only(copy.deepcopy(built))


class OutputSerializer(serializers.Serializer):
    """A plain serializer that only writes responses: every field read-only."""

    def get_fields(self):
        return _read_only(super().get_fields())


def _read_only(fields):
    for field in fields.values():
        field.read_only, field.required = True, False
    return fields
