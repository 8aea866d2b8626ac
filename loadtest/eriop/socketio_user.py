"""ERIOP live events: a Socket.IO user for Locust, beside the seed suite's personas.

Each simulated dispatcher logs in, opens a Socket.IO connection (auth: {token}, as the
original's web client), and then, in a loop: creates an incident and times how long after the
POST was sent its `incident:created` event arrives; joins that incident's room (the ack is
timed), updates the incident and times both `incident:updated` events (one to the agency, one
to the room); leaves the room. Every one of those lands in Locust's statistics (type `SIO`):
an event that does not arrive within EVENT_TIMEOUT seconds is a failure.

    locust -f loadtest/eriop/socketio_user.py --host http://localhost:8000 --headless -u 100 -r 10 -t 1m

Needs python-socketio (Debian: apt-get install python3-socketio python3-websocket; pip:
pip install "python-socketio[client]"). Users come from the standard fixture: dispatcher1..100
@test.eriop.local, password TestPass123456!. loadtest/eriop/locustfile.py stays the seed suite's.
"""

import itertools
import json
import random
import time
from collections import OrderedDict
from datetime import datetime, timezone

import gevent
import socketio
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = "TestPass123456!"
EVENT_TIMEOUT = 5.0
RECENT = 5000
LIVE_EVENTS = ("incident:created", "incident:updated", "alert:created", "alert:updated", "resource:updated")
ACCOUNTS = itertools.count(0)


def incident_body():
    return {
        "category": random.choice(["fire", "medical", "police", "rescue", "traffic"]),
        "priority": random.randint(2, 5),
        "title": f"Live incident {datetime.now(timezone.utc).isoformat()}",
        "description": "Created by the Socket.IO Locust user",
        "location": {"latitude": 45.5 + random.uniform(-0.2, 0.2), "longitude": -73.56 + random.uniform(-0.2, 0.2), "address": "1 Live Street", "building_info": None},
    }


class LiveDispatcher(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        number = next(ACCOUNTS) % 100 + 1
        res = self.client.post("/api/v1/auth/login", json={"email": f"dispatcher{number}@test.eriop.local", "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {res.json()['access_token']}"}
        # (event, id) -> arrival times of recent incident events (the event may come before the
        # REST answer that names the id); the oldest are forgotten past RECENT.
        self.arrivals = OrderedDict()
        self.received = 0
        self.sio = socketio.Client(reconnection=False, handle_sigint=False)
        for name in LIVE_EVENTS:
            self.sio.on(name, self._recorder(name))
        started = time.perf_counter()
        try:
            self.sio.connect(self.host, auth={"token": res.json()["access_token"]}, wait_timeout=EVENT_TIMEOUT)
            self._fire("connect", started, 0, None)
        except Exception as err:  # noqa: BLE001 - reported to Locust, which counts it as a failure
            self._fire("connect", started, 0, err)
            raise

    def on_stop(self):
        if getattr(self, "sio", None) is not None:
            self.sio.disconnect()

    def _recorder(self, name):
        def record(payload):
            self.received += 1
            if not name.startswith("incident:"):
                return
            key = (name, payload.get("id") if isinstance(payload, dict) else None)
            self.arrivals.setdefault(key, []).append((time.perf_counter(), len(json.dumps(payload))))
            self.arrivals.move_to_end(key)
            while len(self.arrivals) > RECENT:
                self.arrivals.popitem(last=False)
        return record

    def _fire(self, name, started, length, exception):
        events.request.fire(request_type="SIO", name=name, response_time=(time.perf_counter() - started) * 1000,
                            response_length=length, exception=exception, context={})

    def _expect(self, event, object_id, started, count=1, names=None):
        """Waits for `count` arrivals of the event for this id; reports each one's latency from `started`."""
        key = (event, object_id)
        deadline = started + EVENT_TIMEOUT
        while len(self.arrivals.get(key, [])) < count and time.perf_counter() < deadline:
            gevent.sleep(0.005)
        got = self.arrivals.pop(key, [])
        for i, name in enumerate(names or [event] * count):
            if i < len(got):
                at, length = got[i]
                events.request.fire(request_type="SIO", name=name, response_time=(at - started) * 1000,
                                    response_length=length, exception=None, context={})
            else:
                self._fire(name, started, 0, TimeoutError(f"{event} for {object_id} not received within {EVENT_TIMEOUT} s"))

    @task
    def incident_lifecycle(self):
        started = time.perf_counter()
        res = self.client.post("/api/v1/incidents", json=incident_body(), headers=self.headers, name="POST /incidents")
        incident_id = res.json()["id"]
        self._expect("incident:created", incident_id, started)

        joined = time.perf_counter()
        ack = self.sio.call("join_incident", incident_id, timeout=EVENT_TIMEOUT)
        self._fire("join_incident", joined, 0, None if isinstance(ack, dict) and ack.get("status") == "joined" else ValueError(f"ack {ack!r}"))

        updated = time.perf_counter()
        self.client.patch(f"/api/v1/incidents/{incident_id}", json={"priority": 1, "notes": "followed live"}, headers=self.headers, name="PATCH /incidents/{id}")
        self._expect("incident:updated", incident_id, updated, count=2, names=["incident:updated", "incident:updated (room)"])

        left = time.perf_counter()
        ack = self.sio.call("leave_incident", incident_id, timeout=EVENT_TIMEOUT)
        self._fire("leave_incident", left, 0, None if isinstance(ack, dict) and ack.get("status") == "left" else ValueError(f"ack {ack!r}"))
