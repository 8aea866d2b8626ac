"""The smart-maintenance public suite's traffic, re-created against eriop-target (API=smart-maintenance).

Same two user classes, weights, think times, Locust names, payloads and accepted statuses as the
public suite (smart-maintenance-saas/locustfile_simple.py): no auth header, JSON bodies, every
request checked with catch_response. Like the public file it has no host, so pass one:

    locust -f loadtest/smart-maintenance/locustfile.py --host http://localhost:8000 --headless -u 50 -r 10 -t 3m

The sensors it names (sensor_001..003, load_test_sensor, stress_sensor_1..10) come from
`npm run seed -- --api smart-maintenance`, created at start in an empty embedded database.
"""

import random
import time

from locust import HttpUser, between, task

SENSORS = ["sensor_001", "sensor_002", "sensor_003", "load_test_sensor"]
HEALTH = ["/health", "/health/db", "/health/redis", "/health/detailed"]
PREDICTIONS = ["/api/v1/ml/predict/anomaly", "/api/v1/ml/predict/failure", "/api/v1/ml/models/list"]
METRICS = ["/api/v1/metrics/system", "/api/v1/metrics/performance", "/api/v1/status"]


def reading(sensor_id, flag):
    """A multi-feature reading, every value rounded to 2 dp, stamped with the epoch time."""
    return {
        "sensor_id": sensor_id,
        "timestamp": time.time(),
        "temperature": round(random.uniform(20.0, 80.0), 2),
        "pressure": round(random.uniform(1.0, 5.0), 2),
        "vibration": round(random.uniform(0.1, 2.0), 2),
        "humidity": round(random.uniform(30.0, 90.0), 2),
        flag: True,
    }


def expect(resp, statuses, what):
    if resp.status_code in statuses:
        resp.success()
    else:
        resp.failure(f"{what}: {resp.status_code} - {resp.text}")


class APILoadTestUser(HttpUser):
    """Health checks, ingestion, predictions, metrics and recent readings."""

    wait_time = between(0.5, 2.0)

    @task(30)
    def health_check(self):
        with self.client.get(random.choice(HEALTH), catch_response=True, name="health_check") as resp:
            expect(resp, (200,), "Health check failed")

    @task(20)
    def data_ingest(self):
        body = reading(random.choice(SENSORS), "load_test")
        with self.client.post("/api/v1/data/ingest", json=body, catch_response=True, name="data_ingest") as resp:
            expect(resp, (200, 201), "Data ingestion failed")

    @task(15)
    def ml(self):
        path = random.choice(PREDICTIONS)
        if path.endswith("/list"):
            with self.client.get(path, catch_response=True, name="ml_models_list") as resp:
                expect(resp, (200,), "Model list failed")
            return
        # Feature values are not rounded here, as in the public suite.
        body = {
            "sensor_id": random.choice(SENSORS),
            "features": {
                "temperature": random.uniform(20.0, 80.0),
                "pressure": random.uniform(1.0, 5.0),
                "vibration": random.uniform(0.1, 2.0),
                "humidity": random.uniform(30.0, 90.0),
            },
        }
        with self.client.post(path, json=body, catch_response=True, name="ml_prediction") as resp:
            expect(resp, (200, 201, 404), "Prediction failed")

    @task(10)
    def metrics(self):
        with self.client.get(random.choice(METRICS), catch_response=True, name="metrics") as resp:
            expect(resp, (200, 404), "Metrics request failed")

    @task(5)
    def db_query(self):
        sensor_id = random.choice(SENSORS)
        with self.client.get(f"/api/v1/data/sensor/{sensor_id}/recent", catch_response=True, name="db_query") as resp:
            expect(resp, (200, 404), "Database query failed")


class HighVolumeUser(HttpUser):
    """Fast ingestion from the ten stress rigs; a 429 counts as a success, as in the public suite."""

    wait_time = between(0.1, 0.5)

    @task
    def stress_ingest(self):
        body = reading(f"stress_sensor_{random.randint(1, 10)}", "stress_test")
        with self.client.post("/api/v1/data/ingest", json=body, catch_response=True, name="stress_ingest") as resp:
            expect(resp, (200, 201, 429), "Stress ingestion failed")
