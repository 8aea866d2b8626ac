"""ERIOP seed-suite personas, re-created against the public contract of eriop-target.

The seed documents' Locust suite drives three personas with these shares, think times and
request mixes; this file sends the same requests, with the same Locust names and payloads,
so a run of it shows what the original suite would see. Any status >= 400 is a failure
(no catch_response, as in the original), and a list endpoint that stopped returning a bare
JSON array would raise in the task and show up under Locust's exceptions.

    locust -f loadtest/locustfile.py --host http://localhost:8000 --headless -u 200 -r 20 -t 2m

Users come from the standard fixture (`npm run seed`): dispatcher1..100, responder1..200 and
alertsystem1..50 @test.eriop.local, password TestPass123456!.
"""

import random
from datetime import datetime, timezone

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = "TestPass123456!"
MONTREAL = (45.5017, -73.5673)


def now_iso():
    return datetime.now(timezone.utc).isoformat()


def near_montreal():
    return MONTREAL[0] + random.uniform(-0.5, 0.5), MONTREAL[1] + random.uniform(-0.5, 0.5)


def incident_body():
    lat, lng = near_montreal()
    return {
        "category": random.choice(["fire", "medical", "police", "rescue", "traffic", "hazmat", "intrusion"]),
        "priority": random.randint(1, 5),
        "title": f"Incident {now_iso()}",
        "description": "Test incident created during load test",
        "location": {"latitude": lat, "longitude": lng, "address": f"{random.randint(100, 9999)} Test Street", "building_info": None},
    }


def alert_body():
    lat, lng = near_montreal()
    return {
        "source": random.choice(["fundamentum", "alarm_system", "axis_microphone", "security_system"]),
        "source_id": f"device_{random.randint(1000, 9999)}",
        "severity": random.choice(["critical", "high", "medium", "low", "info"]),
        "alert_type": random.choice(["gunshot", "explosion", "glass_break", "aggression", "scream", "car_alarm"]),
        "title": f"Alert {now_iso()}",
        "description": "Load test alert",
        "location": {"latitude": lat, "longitude": lng, "address": f"{random.randint(100, 9999)} Alert Street", "zone": f"Zone {random.randint(1, 10)}"},
        "raw_payload": {"test": True, "timestamp": now_iso()},
        "confidence": random.uniform(0.7, 1.0),
        "peak_level_db": random.uniform(80, 120),
        "background_level_db": random.uniform(40, 60),
    }


class FixtureUser(FastHttpUser):
    abstract = True
    account = ("responder", 200)

    def on_start(self):
        prefix, count = self.account
        email = f"{prefix}{random.randint(1, count)}@test.eriop.local"
        res = self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {res.json()['access_token']}"} if res.status_code == 200 else {}

    def get(self, path, name):
        return self.client.get(path, headers=self.headers, name=name)

    def first_id(self, path, name):
        res = self.get(path, name)
        items = res.json() if res.status_code == 200 else []
        return items[0]["id"] if items else None


class ERIOPDispatcher(FixtureUser):
    weight = 3
    wait_time = between(2, 5)
    account = ("dispatcher", 100)

    @task(5)
    def active_incidents(self):
        self.get("/api/v1/incidents/active", "GET /incidents/active")

    @task(4)
    def pending_alerts(self):
        self.get("/api/v1/alerts/pending", "GET /alerts/pending")

    @task(3)
    def available_resources(self):
        self.get("/api/v1/resources/available", "GET /resources/available")

    @task(2)
    def create_incident(self):
        self.client.post("/api/v1/incidents", json=incident_body(), headers=self.headers, name="POST /incidents")

    @task(2)
    def acknowledge_first_pending(self):
        alert_id = self.first_id("/api/v1/alerts/pending", "GET /alerts/pending (for ack)")
        if alert_id:
            self.client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"notes": "Acknowledged during load test"},
                             headers=self.headers, name="POST /alerts/{id}/acknowledge")

    @task(1)
    def incidents_page(self):
        self.get("/api/v1/incidents?page=1&page_size=50", "GET /incidents (paginated)")

    @task(1)
    def alerts_page(self):
        self.get("/api/v1/alerts?page=1&page_size=50", "GET /alerts (paginated)")


class ERIOPResponder(FixtureUser):
    weight = 5
    wait_time = between(3, 8)
    account = ("responder", 200)

    @task(8)
    def active_incidents(self):
        self.get("/api/v1/incidents/active", "GET /incidents/active")

    @task(5)
    def pending_alerts(self):
        self.get("/api/v1/alerts/pending", "GET /alerts/pending")

    @task(4)
    def available_resources(self):
        self.get("/api/v1/resources/available", "GET /resources/available")

    @task(3)
    def incident_detail(self):
        incident_id = self.first_id("/api/v1/incidents/active", "GET /incidents/active (for detail)")
        if incident_id:
            self.get(f"/api/v1/incidents/{incident_id}", "GET /incidents/{id}")

    @task(2)
    def alert_detail(self):
        alert_id = self.first_id("/api/v1/alerts/pending", "GET /alerts/pending (for detail)")
        if alert_id:
            self.get(f"/api/v1/alerts/{alert_id}", "GET /alerts/{id}")

    @task(2)
    def resources_page(self):
        self.get("/api/v1/resources?page=1&page_size=50", "GET /resources (paginated)")

    @task(1)
    def me(self):
        self.get("/api/v1/auth/me", "GET /auth/me")


class AlertIngestion(FixtureUser):
    weight = 2
    wait_time = between(0.1, 0.5)
    account = ("alertsystem", 50)

    @task
    def ingest(self):
        self.client.post("/api/v1/alerts/ingest", json=alert_body(), headers=self.headers, name="POST /alerts/ingest")
