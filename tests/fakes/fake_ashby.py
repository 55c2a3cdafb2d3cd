"""A fake Ashby: calls assess's assessment.list, .start and .cancel, and takes assessment.update.

As Ashby's Assessments Partner API describes it (developers.ashbyhq.com): the partner posts
``assessment.update`` to Ashby's API with the customer's Ashby API key (HTTP Basic, the key as
the user name); Ashby answers ``{"success": true}``.
"""

from __future__ import annotations

from typing import Any

from fakes.ats_server import Answer, FakeAtsServer, Received, basic_header, call


class FakeAshby:
    def __init__(self, assess_url: str, key: str, ashby_api_key: str) -> None:
        self.base = f"{assess_url}/partners/ashby"
        self.key = key
        self.ashby_api_key = ashby_api_key
        self.server = FakeAtsServer(self._handle)

    @property
    def api_url(self) -> str:
        """What assess is configured with as ASHBY_API_URL."""
        return self.server.url

    def _handle(self, received: Received) -> tuple[int, Any]:
        if received.method != "POST" or received.path != "/assessment.update":
            return 404, {"success": False, "errors": ["not found"]}
        if received.headers.get("authorization") != basic_header(self.ashby_api_key):
            return 401, {"success": False, "errors": ["missing or bad API key"]}
        return 200, {"success": True, "results": {}}

    def updates(self) -> list[dict[str, Any]]:
        """The assessment.update bodies assess sent, in order."""
        return [received.json() for received in self.server.requests("POST")]

    def list(self) -> Answer:
        return call("POST", f"{self.base}/assessment.list", self.key, {})

    def start(self, test_id: str, candidate: str, application: str, email: str) -> Answer:
        body = {
            "assessment_type_id": test_id,
            "candidate": {
                "ashby_id": candidate,
                "first_name": "Grace",
                "last_name": "Hopper",
                "email": email,
                "ashby_profile_url": f"https://app.ashbyhq.com/candidates/{candidate}",
            },
            "application": {"ashby_id": application, "status": "Active"},
            "job": {
                "ashby_id": "job-1",
                "name": "Account Manager",
                "ashby_job_url": "https://app.ashbyhq.com/jobs/1",
            },
        }
        return call("POST", f"{self.base}/assessment.start", self.key, body)

    def cancel(self, assessment_id: str) -> Answer:
        return call("POST", f"{self.base}/assessment.cancel", self.key, {"assessment_id": assessment_id})

    def stop(self) -> None:
        self.server.stop()
