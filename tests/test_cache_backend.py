"""The Redis cache backend (linkage/cache.py): Django's, with one Redis client per connection pool
instead of one per call, shared by threads (issue 13). Against the suite's Redis (scripts/test.sh, .ci/run)."""
import os
import threading

import pytest

from linkage.cache import RedisCache


@pytest.fixture
def redis_cache():
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        pytest.fail("CELERY_BROKER_URL is not set: this test needs Redis (scripts/test.sh starts one).")
    location = broker.rsplit("/", 1)[0] + "/14"  # a database of its own on the suite's Redis
    cache = RedisCache(location, {"KEY_PREFIX": "cache-backend-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_it_answers_as_djangos_and_builds_one_client_per_pool(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache.add("k", {"a": 1}, 60) and not redis_cache.add("k", 2, 60)
    assert redis_cache.get("k") == {"a": 1} and redis_cache.get("missing", "default") == "default"
    redis_cache.set("n", 1, 60)
    assert redis_cache.incr("n", 4) == 5
    assert redis_cache.delete("k") and redis_cache.get("k") is None
    assert redis_cache.get_many(["n", "k"]) == {"n": 5}
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client() is client  # one server: reads and writes share its pool


def test_threads_share_the_client_and_each_reads_its_own_keys(redis_cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                redis_cache.set(f"t{n}-{i}", (n, i), 60)
                assert redis_cache.get(f"t{n}-{i}") == (n, i)
        except Exception as exc:  # noqa: BLE001  (reported below, with the thread's number)
            errors.append((n, exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(redis_cache._cache._clients) == 1
    assert redis_cache.get_many([f"t{n}-49" for n in range(8)]) == {f"t{n}-49": (n, 49) for n in range(8)}
