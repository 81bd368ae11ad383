"""Concurrent writes on notices of one unit and one case never deadlock and never answer 500.

Every transition locks only the rows it changes (``select_for_update(of=("self",), no_key=True)``: FOR NO
KEY UPDATE, which a foreign-key check's FOR KEY SHARE does not wait for), a case before its notices and
notices in id order. Here clerks issue and conclude while the unit's liaison acknowledges and answers, all
at once on notices of the same unit and case, from threads with their own connections.

On PostgreSQL (``.ci/run``) every call must succeed at the first try: a deadlock is an error. SQLite has no
row locks and serialises writers; a writer that loses the race is refused with "database is locked" and is
retried, so the test checks the same outcome there.
"""
import threading

import pytest
from django.db import OperationalError, connection, connections

from cases import services
from cases.models import Notice
from members.models import ActionType, Unit, User
from members.seeding import seed_demo

from .conftest import make_resident_id

ROUNDS = 4


def _case(clerk, n):
    return services.case_create(actor=clerk, number=f"(2026)鄂1022执{9700 + n}号", title=f"并发案件{n}",
                                amount="100000", parties=[
                                    {"role": "applicant", "name": "甲", "id_number": make_resident_id(9700 + 2 * n)},
                                    {"role": "debtor", "name": "乙", "id_number": make_resident_id(9701 + 2 * n)}])


@pytest.mark.django_db(transaction=True)
def test_issue_acknowledge_answer_and_conclude_at_once_on_one_unit_and_case():
    seed_demo("linkage-demo")  # a transactional test starts from whatever the last flush left
    clerk, liaison = User.objects.get(username="clerk"), User.objects.get(username="liaison-bank-icbc")
    icbc, query = Unit.objects.get(code="bank-icbc"), ActionType.objects.get(code="query")
    shared, other = _case(clerk, 1), _case(clerk, 2)
    to_conclude = [_case(clerk, 10 + n) for n in range(ROUNDS)]
    waiting = [services.notice_issue(actor=clerk, case=shared, unit=icbc, action=query, subject=f"查询存款{n}")
               for n in range(ROUNDS)]
    for case in to_conclude:  # one answered and one open notice of the same unit each
        done = services.notice_issue(actor=clerk, case=case, unit=icbc, action=query, subject="查询")
        services.notice_acknowledge(actor=liaison, notice=done)
        services.notice_answer(actor=liaison, notice=done, outcome="done", detail="已查询")
        services.notice_issue(actor=clerk, case=case, unit=icbc, action=query, subject="再查询")

    sqlite = connection.vendor == "sqlite"
    barrier = threading.Barrier(4)
    errors, retries = [], []

    def run(steps):
        try:
            barrier.wait(timeout=20)
            for step in steps:
                for _attempt in range(50):
                    try:
                        step()
                        break
                    except OperationalError:
                        if not sqlite:
                            raise
                        retries.append(1)
                else:
                    raise AssertionError("a step could not run after 50 attempts")
        except Exception as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def issue_on(case):
        return [lambda n=n: services.notice_issue(actor=User.objects.get(username="clerk"), case=case, unit=icbc,
                                                  action=query, subject=f"并发查询{n}") for n in range(ROUNDS)]

    def work_through():
        def step(notice):
            def go():
                unit_user = User.objects.get(username="liaison-bank-icbc")
                current = Notice.objects.get(pk=notice.pk)
                if current.status in ("issued", "delivered"):
                    services.notice_acknowledge(actor=unit_user, notice=current)
                services.notice_answer(actor=unit_user, notice=Notice.objects.get(pk=notice.pk), outcome="done",
                                       detail="已查询")
            return go
        return [step(n) for n in waiting]

    conclusions = [lambda c=c: services.case_conclude(actor=User.objects.get(username="clerk"), case=c,
                                                      outcome="completed", note="已直接履行完毕")
                   for c in to_conclude]
    threads = [threading.Thread(target=run, args=(steps,)) for steps in (
        issue_on(shared), issue_on(other), work_through(), conclusions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting: a lock never released"
    assert not errors, errors
    if not sqlite:
        assert not retries  # PostgreSQL waits on row locks; it never refuses
    assert Notice.objects.filter(case=shared, subject__startswith="并发查询").count() == ROUNDS
    assert Notice.objects.filter(case=other, subject__startswith="并发查询").count() == ROUNDS
    assert set(Notice.objects.filter(pk__in=[n.pk for n in waiting]).values_list("status", flat=True)) == {"answered"}
    assert all(c.status == "concluded" for c in type(shared).objects.filter(pk__in=[c.pk for c in to_conclude]))


@pytest.mark.django_db(transaction=True)
def test_the_load_tests_day_mix_through_the_api_at_once():
    """The writes of ``bench/daymix.lua``: clerks POST notices to three banks on the same cases while the
    banks' liaisons acknowledge and answer theirs through the API: every answer 2xx."""
    from rest_framework.test import APIClient

    seed_demo("linkage-demo")
    clerk = User.objects.get(username="clerk")
    cases = [_case(clerk, 20 + n) for n in range(2)]
    query = ActionType.objects.get(code="query")
    banks = ["bank-icbc", "bank-abc", "bank-ccb"]
    waiting = {code: [services.notice_issue(actor=clerk, case=cases[n % 2], unit=Unit.objects.get(code=code),
                                            action=query, subject=f"查询{n}") for n in range(ROUNDS)]
               for code in banks}
    sqlite = connection.vendor == "sqlite"
    barrier = threading.Barrier(1 + len(banks))
    errors, statuses = [], []

    def client(username):
        api = APIClient()
        api.force_authenticate(User.objects.get(username=username))
        return api

    def post(api, url, body):
        for _attempt in range(50):
            try:
                response = api.post(url, body, format="json")
            except OperationalError:
                if not sqlite:
                    raise
                continue
            if sqlite and response.status_code == 500:
                continue  # "database is locked" under SQLite's single writer
            statuses.append((url, response.status_code))
            return response
        raise AssertionError(f"{url} never went through")

    def clerk_thread():
        try:
            api = client("clerk")
            barrier.wait(timeout=20)
            for n in range(ROUNDS):
                for code in banks:
                    post(api, "/api/v1/notices/", {"case": cases[n % 2].pk, "unit": code, "action": "query",
                                                   "subject": "查询被执行人名下账户"})
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def bank_thread(code):
        try:
            api = client(f"liaison-{code}")
            barrier.wait(timeout=20)
            for notice in waiting[code]:
                post(api, f"/api/v1/notices/{notice.pk}/acknowledge/", {})
                post(api, f"/api/v1/notices/{notice.pk}/answer/",
                     {"outcome": "done", "detail": "已办理", "result_amount": "1000.00"})
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk_thread)] + [threading.Thread(target=bank_thread, args=(c,))
                                                         for c in banks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    bad = [s for s in statuses if s[1] >= 300]
    assert not bad, bad
    assert len(statuses) == ROUNDS * len(banks) * 3
