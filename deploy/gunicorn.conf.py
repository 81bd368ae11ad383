"""gunicorn settings of the web service (``deploy/linkage-web.service``: ``gunicorn -c deploy/gunicorn.conf.py``).

The access log never writes a query string or a referrer: an identifier look-up such as
``/api/v1/credit-check/?id_number=…`` or a case search ``?q=…`` would put a person's ID into the log
(PIPL Art. 51). The line carries the path alone (``%(U)s``, not ``%(r)s`` or ``%(q)s``; no ``%(f)s``), and
every access and error line also goes through ``linkage.logging.MaskIdentifiersFilter``, which masks
identifier-shaped runs anywhere in it (a path such as ``/credit/check/421022…/``).
"""
import os
import sys

from gunicorn.glogging import Logger

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from linkage.logging import MaskIdentifiersFilter  # noqa: E402  (stdlib only: no Django needed here)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
accesslog = "-"
errorlog = "-"
# remote address, user, time, "METHOD /path HTTP/1.1", status, bytes, duration (ms), user agent
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


class MaskingLogger(Logger):
    """gunicorn's logger with the portal's identifier mask on every handler (set up again on HUP)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskIdentifiersFilter) for f in handler.filters):
                    handler.addFilter(MaskIdentifiersFilter())


logger_class = MaskingLogger
