"""Count queries compiled once per process: the to-do counts of the menu run on every page.

Building and compiling a Django aggregate of a handful of filtered counts costs Python on every request,
more than PostgreSQL takes to answer it, and its SQL never changes: only the
instant ``now`` in its parameters does. ``PreparedCounts`` wraps such an aggregate. On its first call for
a key it runs the ORM as usual and, without sending anything, captures the SQL and parameters the ORM
builds for two other instants; the parameters in which those two differ are where ``now`` goes. Later
calls for the key send that same SQL with the current instant in those places.

The ORM stays the one statement of each rule (``cases.selectors.notice_rule``): the SQL run is the ORM's
own. Whatever the capture cannot prove runs the ORM every time instead: SQL that differs between the two
instants, a parameter derived from the instant rather than equal to it, a query that is not a single
aggregate of integers. ``tests/test_prepared.py`` compares the two ways at many instants.
"""
import datetime
import threading

from django.db import connection
from django.db.models import DateTimeField

# Two instants no real clock shows, with every field different (microseconds included).
_FIRST = datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
_SECOND = datetime.datetime(2002, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.UTC)
_UNPROVEN = object()


class _Captured(Exception):
    pass


def _capture(run):
    """(sql, params) of the first query ``run()`` sends, stopped before it reaches the database, or None."""
    captured = []

    def stop(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ()), many))
        raise _Captured

    log = connection.queries_log
    logged = len(log)
    with connection.execute_wrapper(stop):
        try:
            run()
        except _Captured:
            pass
    # A debug cursor (DEBUG, assertNumQueries) logs a query even when it is stopped: this one never ran.
    while len(log) > logged:
        log.pop()
    if len(captured) != 1 or captured[0][2]:
        return None
    return captured[0][:2]


class PreparedCounts:
    """``counts = PreparedCounts(build)`` where ``build(now, *args)`` runs one ``aggregate()`` of integer
    counts; then ``counts(now, *args, key=...)``. ``key`` must name everything besides ``now`` that
    shapes the SQL (the user's scope, a date in it): one compiled query is kept per key and database."""

    def __init__(self, build):
        self.build = build
        self._shapes = {}
        self._lock = threading.Lock()

    def __call__(self, now, *args, key=()):
        slot = (connection.alias, connection.vendor, key)
        shape = self._shapes.get(slot)
        if shape is None:
            counts = self.build(now, *args)
            with self._lock:
                self._shapes[slot] = self._prepare(counts, args)
            return counts
        if shape is _UNPROVEN:
            return self.build(now, *args)
        sql, params, places, names = shape
        params = list(params)
        value = DateTimeField().get_db_prep_value(now, connection)
        for i in places:
            params[i] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            got = tuple(col[0] for col in cursor.description)
        if got != names:  # cannot happen with the SQL captured; stated so that it never answers wrongly
            return self.build(now, *args)
        return dict(zip(names, row, strict=True))

    def _prepare(self, counts, args):
        first = _capture(lambda: self.build(_FIRST, *args))
        second = _capture(lambda: self.build(_SECOND, *args))
        if not first or not second or first[0] != second[0] or len(first[1]) != len(second[1]):
            return _UNPROVEN
        if not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in counts.values()):
            return _UNPROVEN
        field = DateTimeField()
        places = [i for i, (a, b) in enumerate(zip(first[1], second[1], strict=True)) if a != b]
        expected = (field.get_db_prep_value(_FIRST, connection), field.get_db_prep_value(_SECOND, connection))
        if any((first[1][i], second[1][i]) != expected for i in places):  # no place: ``now`` is not in it
            return _UNPROVEN
        return first[0], first[1], places, tuple(counts)
