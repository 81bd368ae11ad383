"""A working day's mix for 50 concurrent users (issue 8): liaisons reading their inbox and notices,
clerks listing cases, opening a case and issuing notices, plus the baseline user hitting a plain DRF
endpoint. Run by bench/load_test.sh against gunicorn and PostgreSQL."""
import random
import re

from locust import HttpUser, between, task

PASSWORD = "linkage-demo"
LIAISONS = ["liaison-bank-icbc", "liaison-bank-abc", "liaison-bank-ccb", "liaison-police", "liaison-natres",
            "liaison-tax", "liaison-market", "liaison-fund", "liaison-hrss"]


class SignedIn(HttpUser):
    abstract = True
    username = None

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": token}, name="sign in")
        api = self.client.post("/api/v1/auth/token/", json={"username": self.username, "password": PASSWORD},
                               name="token")
        self.api_headers = {"Authorization": f"Token {api.json()['token']}"}


class Liaison(SignedIn):
    weight = 7
    wait_time = between(0.5, 2)

    def on_start(self):
        self.username = random.choice(LIAISONS)
        super().on_start()
        self.notice_ids = []

    @task(4)
    def inbox(self):
        page = self.client.get(random.choice(["/inbox/", "/inbox/?tab=new", "/inbox/?tab=overdue"]),
                               name="/inbox/")
        self.notice_ids = [int(n) for n in re.findall(r'href="/notices/(\d+)/"', page.text)][:20]

    @task(3)
    def notice_page(self):
        if self.notice_ids:
            self.client.get(f"/notices/{random.choice(self.notice_ids)}/", name="/notices/[id]/")

    @task(2)
    def api_notices(self):
        self.client.get("/api/v1/notices/?status=delivered", headers=self.api_headers, name="/api/v1/notices/")

    @task(1)
    def home(self):
        self.client.get("/", name="/ (home)")


class Clerk(SignedIn):
    weight = 2
    wait_time = between(1, 3)
    username = "clerk"

    def on_start(self):
        super().on_start()
        self.case_ids = []

    @task(3)
    def case_list(self):
        page = self.client.get("/cases/?status=open", name="/cases/")
        self.case_ids = [int(n) for n in re.findall(r'href="/cases/(\d+)/"', page.text)][:20]

    @task(3)
    def case_page(self):
        if self.case_ids:
            self.client.get(f"/cases/{random.choice(self.case_ids)}/", name="/cases/[id]/")

    @task(1)
    def search(self):
        self.client.get(f"/cases/?q=基准案件{random.randint(1, 100000)}", name="/cases/?q=")

    @task(2)
    def issue(self):
        if self.case_ids:
            self.client.post("/api/v1/notices/", json={
                "case": random.choice(self.case_ids), "unit": random.choice(["bank-icbc", "bank-abc", "tax"]),
                "action": "query", "subject": "查询被执行人账户"}, headers=self.api_headers,
                name="POST /api/v1/notices/")


class Baseline(SignedIn):
    """The same server's plain DRF endpoint, for comparison: run alone (``locust … Baseline``) with the
    same number of users and the same pauses as the day's mix."""

    wait_time = between(0.5, 2)
    username = "office"

    @task
    def health(self):
        self.client.get("/api/v1/health/", headers=self.api_headers, name="baseline /api/v1/health/")
