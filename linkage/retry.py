"""The retry schedule every outbox shares (the notices' deliveries, the channels' messages): a failed send
waits 30 s, 1 min, 2 min … at most an hour, and after ``MAX_ATTEMPTS`` the row is dead, for a person to
look at."""
from datetime import timedelta

MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))
