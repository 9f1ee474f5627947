"""Locust users for `make bench` (run headless by benchmarks/run_all.py, one request kind
per run). The request is described in the environment variable BENCH_REQUEST (JSON):

    {"method": "GET", "path": "/api/v1/sites/?event=...", "headers": {...}}
    {"method": "POST", "path": "/api/v1/sites/{site}/tallies/", "tally": {"size": 100,
     "sites": [1, 2, ...]}, "headers": {...}}

Each user sends the request again as soon as the answer is in (closed loop, no think
time), so `-u 16` keeps 16 requests in flight. Tally bodies get fresh UUIDs each time (a
resend would be a duplicate and store nothing); an answer that is not 200 with every entry
accepted counts as a failure.
"""

import datetime
import itertools
import json
import os
import uuid

from locust import FastHttpUser, constant, task

SPEC = json.loads(os.environ.get("BENCH_REQUEST", '{"method": "GET", "path": "/"}'))
# Ask for plain answers: the app compresses feeds for clients that accept gzip, the
# baseline never does, and the figures compare the work, not the compression.
HEADERS = {"Accept-Encoding": "identity", **SPEC.get("headers", {})}
_SITES = itertools.cycle(SPEC.get("tally", {}).get("sites", [0]))


class BenchUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def send(self) -> None:
        tally = SPEC.get("tally")
        if tally is None:
            self.client.request(SPEC["method"], SPEC["path"], headers=HEADERS, name="target")
            return
        now = datetime.datetime.now(datetime.UTC).isoformat()
        entries = [
            {"id": str(uuid.uuid4()), "category": "visitors", "delta": 1, "recorded_at": now}
            for _ in range(tally["size"])
        ]
        body = json.dumps({"entries": entries, "device_id": "bench"})
        with self.client.post(
            SPEC["path"].format(site=next(_SITES)),
            data=body,
            headers={**HEADERS, "Content-Type": "application/json"},
            name="target",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            elif json.loads(response.text).get("accepted") != tally["size"]:
                response.failure(f"not all accepted: {response.text[:200]}")
            else:
                response.success()
