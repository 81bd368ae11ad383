"""Amounts of money on every page: ``{% load amounts %}`` then ``{{ case.amount|yuan }}`` → 50,000.00.
The one place the format is set (``linkage.numerals.format_yuan``, which the PDF/DOCX documents and the
notice's structured amount use too)."""
from django import template

from linkage.numerals import format_yuan

register = template.Library()


@register.filter(is_safe=True)
def yuan(value):
    """50000 → "50,000.00"; None or "" → "" (use ``|default:"—"`` after it for a dash)."""
    return format_yuan(value)
