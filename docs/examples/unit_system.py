#!/usr/bin/env python3
"""A unit's own system, talking to the portal point to point. Standard library only.

It receives notices on a webhook, checks the HMAC-SHA256 signature (over the timestamp, the delivery id
and the body) and the replay window, ignores a delivery id it has already seen, and acknowledges each new
notice through the API with the unit's token.

    python docs/examples/unit_system.py --port 9100 --secret <webhook secret> \
        --api http://127.0.0.1:8000/api/v1 --token <unit token>

Make the token and see the secret with ``python manage.py unit_token bank-icbc``, and set the unit's
webhook URL (admin → member units) to http://127.0.0.1:9100/linkage.
"""
import argparse
import hashlib
import hmac
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLAY_WINDOW_SECONDS = 300


def signature_ok(secret: str, timestamp: str, delivery: str, body: bytes, signature: str) -> bool:
    """The portal signs ``"<timestamp>.<delivery id>.<body>"``: a captured request replayed under another
    delivery id, or with another time, no longer matches."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if not delivery or abs(time.time() - ts) > REPLAY_WINDOW_SECONDS:
        return False  # no id to act on once, or too old or from the future: a replay
    expected = hmac.new(secret.encode(), f"{ts}.{delivery}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature or "")


class SeenDeliveries:
    """Delivery ids already acted on, kept for twice the replay window (a signed request older than the
    window is refused anyway, so forgetting an id after that is safe). A real system keeps them in its
    database, with a unique constraint."""

    def __init__(self):
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, delivery: str) -> bool:
        now = time.time()
        with self._lock:
            for key in [k for k, at in self._seen.items() if now - at > 2 * REPLAY_WINDOW_SECONDS]:
                del self._seen[key]
            if delivery in self._seen:
                return False
            self._seen[delivery] = now
            return True

    def __contains__(self, delivery) -> bool:
        return delivery in self._seen


def call_api(api: str, token: str, path: str, payload: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{api.rstrip('/')}/{path.lstrip('/')}", method="POST",
        data=json.dumps(payload or {}).encode(),
        headers={"Authorization": f"UnitToken {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def make_server(port: int, secret: str, api: str, token: str,
                seen: SeenDeliveries | None = None) -> ThreadingHTTPServer:
    seen = SeenDeliveries() if seen is None else seen

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            delivery = self.headers.get("X-Linkage-Delivery", "")
            if not signature_ok(secret, self.headers.get("X-Linkage-Timestamp"), delivery, body,
                                self.headers.get("X-Linkage-Signature")):
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            # The portal may send a delivery twice (a retry after a lost answer), and a captured request
            # may be replayed within the window: the signed id is acted on once.
            if seen.first_time(delivery):
                notice = event["notice"]
                if event["event"] == "issue" and notice["status"] in ("issued", "delivered"):
                    # Answer the webhook at once and act afterwards: the portal is waiting for our 2xx.
                    threading.Thread(target=call_api, daemon=True, args=(
                        api, token, f"notices/{notice['id']}/acknowledge/",
                        {"note": "received by the unit's system"})).start()
            self.send_response(204)
            self.end_headers()

        def log_message(self, fmt, *args):
            print("webhook:", fmt % args)

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--api", default="http://127.0.0.1:8000/api/v1")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    print(f"listening on http://127.0.0.1:{args.port}/linkage")
    make_server(args.port, args.secret, args.api, args.token).serve_forever()


if __name__ == "__main__":
    main()
