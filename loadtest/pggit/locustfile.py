"""pgGit's Phase 8 API load-test traffic, re-created for eriop-target (API=pggit).

Our own file, written to send the same requests as pgGit's public Locust suite
(evoludigit/pgGit, tests/load/locustfile.py at tag v0.1.0, commit
4e05385f239488d0b72c1c0e21d18286f04d3890): the same two user classes with equal weights, the
same think times and no host of their own (pass --host), the same tags, task weights, methods,
paths, query strings, JSON bodies, headers, 30 s timeouts, Locust names (the URL as sent) and the
same statuses counted as success, and the same WebSocket session. A run that passes here
therefore means the public suite passes too.

Left out: the public suite's event listeners and its unused settings. The listeners only log (a
line per request, the host at start, totals at stop, where a run with no request at all raised
ZeroDivisionError); Locust's summary and its --csv files carry the same figures.

    API=pggit npm start
    locust -f loadtest/pggit/locustfile.py --host http://localhost:8000

WebSocketUser ignores --host: like the public suite it always dials ws://localhost:8000, with
Python's `websockets` (Debian: python3-websockets).
"""

import asyncio
import json
import logging
import time

import websockets
from locust import HttpUser, between, tag, task

log = logging.getLogger(__name__)

# Not signed by anyone: payload {"sub": "test-user", "exp": 9999999999}, signature the text
# "PLACEHOLDER". The target accepts it because it does not verify signatures by default.
TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJ0ZXN0LXVzZXIiLCJleHAiOjk5OTk5OTk5OTl9"
    ".PLACEHOLDER"
)
HTTP_TIMEOUT = 30
DASHBOARD_URL = f"ws://localhost:8000/ws/dashboard?token={TOKEN}"
SUBSCRIBE = {"action": "subscribe", "types": ["metrics", "alerts", "webhooks"]}
LISTEN_SECONDS = 5
QUIET_SECONDS = 1


class RestApiUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        # On the session, so every request carries both, GETs and the body-less invalidate POST
        # included (an empty body declared as JSON).
        self.client.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})

    def call(self, method, path, accepted, read=None, **kwargs):
        """Send one request; it passes when its status is in `accepted`.

        `read` names a key taken from a 200's JSON body after the request has been marked passed,
        the order the public suite uses: a body that is not a JSON object then shows as a passed
        request plus a Locust exception.
        """
        with self.client.request(method, path, timeout=HTTP_TIMEOUT, catch_response=True, **kwargs) as resp:
            if resp.status_code not in accepted:
                resp.failure(f"{method} {path}: status {resp.status_code}, wanted one of {accepted}")
                return
            resp.success()
            if read:
                setattr(self, read, resp.json().get(read, []))

    @tag("webhooks", "read")
    @task(3)
    def webhook_list(self):
        self.call("GET", "/api/v1/webhooks", (200,), read="webhooks")

    @tag("webhooks", "read")
    @task(2)
    def webhook_one(self):
        self.call("GET", "/api/v1/webhooks/1", (200, 404))

    @tag("webhooks", "write")
    @task(1)
    def webhook_create(self):
        body = {
            "name": f"webhook_load_test_{time.time()}",
            "url": f"https://example.com/webhook/{time.time()}",
            "description": "Load test webhook",
            "is_active": True,
            "retry_policy": {"max_retries": 3, "backoff_base": 2, "max_backoff": 3600},
            "timeout_seconds": 30,
            "ssl_verify": True,
        }
        self.call("POST", "/api/v1/webhooks", (201,), json=body)

    @tag("webhooks", "write")
    @task(1)
    def webhook_update(self):
        body = {"name": f"webhook_updated_{time.time()}", "is_active": True, "description": "Updated via load test"}
        self.call("PUT", "/api/v1/webhooks/1", (200, 404), json=body)

    @tag("alerts", "read")
    @task(4)
    def alert_list(self):
        self.call("GET", "/api/v1/alerts?limit=50&offset=0", (200,), read="alerts")

    @tag("alerts", "read")
    @task(2)
    def alert_one(self):
        self.call("GET", "/api/v1/alerts/1", (200, 404))

    @tag("alerts", "read")
    @task(1)
    def alert_stats(self):
        self.call("GET", "/api/v1/alerts/stats/summary", (200,))

    @tag("alerts", "write")
    @task(1)
    def alert_ack(self):
        self.call("POST", "/api/v1/alerts/1/ack", (200, 404), json={"acknowledged_by": "load_test"})

    @tag("dashboard", "read")
    @task(3)
    def dashboard(self):
        self.call("GET", "/api/v1/dashboard", (200,))

    @tag("dashboard", "read")
    @task(2)
    def dashboard_performance(self):
        self.call("GET", "/api/v1/dashboard/performance", (200,))

    @tag("dashboard", "read")
    @task(2)
    def dashboard_webhooks(self):
        self.call("GET", "/api/v1/dashboard/webhooks", (200,))

    @tag("dashboard", "read")
    @task(1)
    def dashboard_anomalies(self):
        self.call("GET", "/api/v1/dashboard/anomalies", (200,))

    @tag("cache", "admin")
    @task(1)
    def cache_stats(self):
        self.call("GET", "/api/v1/cache/stats", (200,))

    @tag("cache", "admin")
    @task(1)
    def cache_invalidate(self):
        self.call("POST", "/api/v1/cache/invalidate/alerts?alert_id=1&event_type=alert_updated", (204,))

    @tag("health")
    @task(1)
    def health(self):
        self.call("GET", "/health", (200,))

    @tag("health")
    @task(1)
    def health_deep(self):
        self.call("GET", "/health/deep", (200, 503))


async def dashboard_session():
    """Subscribe, then read until the socket stays quiet for a second (or five have passed).

    Returns how many messages arrived, or None when the session failed.
    """
    try:
        # websockets 10.4 takes `timeout` as the old name of close_timeout; the public suite
        # passes it under that name, and so do we, so both behave alike on any version.
        async with websockets.connect(DASHBOARD_URL, timeout=60) as socket:
            await socket.send(json.dumps(SUBSCRIBE))
            received = 0
            listening_since = time.time()
            while time.time() - listening_since < LISTEN_SECONDS:
                try:
                    await asyncio.wait_for(socket.recv(), timeout=QUIET_SECONDS)
                except asyncio.TimeoutError:
                    break
                received += 1
            return received
    except Exception as exc:
        log.error("dashboard socket failed: %s", exc)
        return None


class WebSocketUser(HttpUser):
    """Opens the dashboard socket now and then; Locust's stats never see it, only the log does."""

    wait_time = between(5, 10)

    @tag("websocket")
    @task(2)
    def watch_dashboard(self):
        began = time.time()
        try:
            # A new loop per session, made the thread's current loop and left open, as the public
            # suite does. All users share one thread under gevent, so a session that starts while
            # another user's loop is running fails here before it connects; the public suite's
            # sessions collide the same way.
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            received = loop.run_until_complete(dashboard_session())
        except Exception as exc:
            log.error("dashboard socket session could not run: %s", exc)
            return
        if received is not None:
            log.info("dashboard socket read %d messages in %.0f ms", received, (time.time() - began) * 1000)
