"""Shared API plumbing: pagination and the mapping of domain errors to HTTP answers."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.workflow import InvalidTransition


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
    return drf_exception_handler(exc, context)


def _flatten(exc: DjangoValidationError):
    """Field errors shaped as DRF shapes them: ``{"field": ["message", ...]}``."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"detail": exc.messages}


def require_perm(request, perm: str) -> None:
    """Refuse a role that may not do this at all before the body is read (403, not field errors).
    The service checks again; this only decides which answer comes first."""
    if not request.user.has_perm(perm):
        raise exceptions.PermissionDenied()
