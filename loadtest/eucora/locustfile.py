"""EUCORA's load-test traffic, re-created for eriop-target (API=eucora).

Our own file, written to send the same requests as EUCORA's public Locust suite
(buildworksai/EUCORA, tests/load_tests/locustfile.py, identical at commit
9bb90f301a1172b5f446d653d03efb51305c7f1e): the same four user classes with equal weights, the
same think times and default host, the same logins, task weights, paths and query strings, the
same form-encoded bodies, the same Locust names (the URL as sent, random ids included) and the
same statuses counted as success. A run that passes here therefore means the public suite passes
too.

Left out: the public suite's event listeners. They only print (a "FAIL:" line for every request,
a line for requests slower than a second, banners at start and stop); Locust's summary and its
--csv files carry the same figures.

    npm run seed -- --api eucora
    locust -f loadtest/eucora/locustfile.py --host http://localhost:8000 --headless -u 100 -r 10 -t 5m
"""

import random
import uuid

from locust import HttpUser, between, task
from locust.exception import LocustError

PASSWORD = "test123"
APPS = ["nginx", "redis", "postgresql", "mongodb", "elasticsearch"]
RINGS = ["CANARY", "PILOT", "DEPARTMENT", "GLOBAL"]

# Bodies are lists of form pairs, sent positionally as requests' `data`, so they go out as
# application/x-www-form-urlencoded in this order, as the public suite's dicts do. Two of its
# dicts lose values on the way, and the pairs below spell out what actually reaches the server:
# a nested dict contributes one pair per key, with the key as the value (config=ring&config=
# target_count), and an empty list contributes nothing.
INTUNE_CONFIG = [("config", "ring"), ("config", "target_count")]


def hex8():
    return uuid.uuid4().hex[:8]


def judge(resp, accepted, what):
    if resp.status_code in accepted:
        resp.success()
    else:
        resp.failure(f"{what}: status {resp.status_code}")


class SuiteUser(HttpUser):
    """Logs in with a form on start; what the token is used for is up to each class's tasks."""

    abstract = True
    host = "http://localhost:8000"
    username = ""

    def login_name(self):
        return self.username

    def on_start(self):
        # catch_response without a with-block keeps the login out of Locust's stats, as in the
        # public suite, which never reports its logins.
        resp = self.client.post("/api/v1/auth/login/", [("username", self.login_name()), ("password", PASSWORD)],
                                catch_response=True)
        if resp.status_code != 200:
            self.login_refused(resp)
            return
        # A body that is not a JSON object raises here and ends this user, as it does there; an
        # object without `token` gives the header "Bearer None".
        token = resp.json().get("token")
        self.client.headers.update({"Authorization": f"Bearer {token}"})

    def login_refused(self, resp):
        """Carry on without an Authorization header."""


class DeploymentUser(SuiteUser):
    wait_time = between(0.5, 2.0)
    username = "loadtest_user"

    def login_refused(self, resp):
        # The public suite marks this login failed outside a with-block, which Locust refuses with
        # a LocustError: the user stops before its first task. Raising one keeps that outcome.
        raise LocustError(f"{self.username} could not log in: status {resp.status_code}")

    @task(3)
    def submit(self):
        version = f"{random.randint(1, 5)}.{random.randint(0, 9)}.{random.randint(0, 9)}"
        form = [
            ("app_name", f"{random.choice(APPS)}-{hex8()}"),
            ("version", version),
            ("target_ring", random.choice(RINGS)),
            ("evidence_pack_id", str(uuid.uuid4())),
        ]
        with self.client.post("/api/v1/deployments/", form, catch_response=True) as resp:
            judge(resp, (200, 201), "create deployment")

    @task(1)
    def recent(self):
        with self.client.get("/api/v1/deployments/?limit=50", catch_response=True) as resp:
            judge(resp, (200,), "list deployments")

    @task(1)
    def unknown_detail(self):
        # A fresh id every time, so 404 is the expected answer.
        with self.client.get(f"/api/v1/deployments/{uuid.uuid4()}/", catch_response=True) as resp:
            judge(resp, (200, 404), "deployment detail")


class CABApprovalUser(SuiteUser):
    wait_time = between(1.0, 3.0)
    username = "cab_approver"
    # Ids seen in the last non-empty queue listing; an empty listing leaves them as they were.
    queued = ()

    @task(4)
    def queue(self):
        with self.client.get("/api/v1/cab/pending/?limit=100", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"pending approvals: status {resp.status_code}")
                return
            try:
                listed = resp.json().get("approvals", [])
                if listed:
                    self.queued = [entry.get("id") for entry in listed]
            except Exception as exc:  # any unreadable shape is this request's failure, not a crash
                resp.failure(f"pending approvals unreadable: {exc}")
            else:
                resp.success()

    @task(3)
    def approve(self):
        target = random.choice(self.queued) if self.queued else uuid.uuid4()
        # The public suite also sends "conditions": [], which the form encoding drops.
        form = [("comments", "Approved for production deployment")]
        with self.client.post(f"/api/v1/cab/{target}/approve/", form, catch_response=True) as resp:
            judge(resp, (200, 404), "approve")

    @task(1)
    def reject(self):
        form = [("comments", "Insufficient testing evidence")]
        with self.client.post(f"/api/v1/cab/{uuid.uuid4()}/reject/", form, catch_response=True) as resp:
            judge(resp, (200, 404), "reject")


class ConnectorPublishingUser(SuiteUser):
    wait_time = between(0.5, 1.5)
    username = "publisher_user"

    def publish(self, plane, extra=()):
        form = [("deployment_id", str(uuid.uuid4())), ("target_plane", plane), *extra]
        with self.client.post("/api/v1/connectors/publish/", form, catch_response=True) as resp:
            judge(resp, (200, 404), f"publish to {plane}")

    @task(2)
    def intune(self):
        self.publish("INTUNE", INTUNE_CONFIG)

    @task(2)
    def jamf(self):
        self.publish("JAMF")

    @task(2)
    def sccm(self):
        self.publish("SCCM")

    @task(1)
    def status(self):
        with self.client.get(f"/api/v1/connectors/status/{uuid.uuid4()}/", catch_response=True) as resp:
            judge(resp, (200, 404), "connector status")

    @task(1)
    def remediate(self):
        form = [
            ("deployment_id", str(uuid.uuid4())),
            ("reason", "Device compliance drift detected"),
            ("action", "REINSTALL"),
        ]
        with self.client.post("/api/v1/connectors/remediate/", form, catch_response=True) as resp:
            judge(resp, (200, 404), "remediate")


class HighLoadDeploymentUser(SuiteUser):
    wait_time = between(0.1, 0.5)

    def login_name(self):
        # A new name per simulated user, which no fixture holds.
        return f"burst_user_{hex8()}"

    @task
    def burst(self):
        form = [
            ("app_name", f"burst-{hex8()}"),
            ("version", f"{random.randint(1, 5)}.0.0"),
            ("target_ring", "CANARY"),
            ("evidence_pack_id", str(uuid.uuid4())),
        ]
        with self.client.post("/api/v1/deployments/", form, catch_response=True) as resp:
            judge(resp, (200, 201), "burst deployment")
