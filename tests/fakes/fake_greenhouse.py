"""A fake Greenhouse: calls assess's Assessment Partner endpoints and takes its completion PATCH.

As Greenhouse's documentation describes it (developers.greenhouse.io/assessment.html): the
take-home test's URL is given in ``send_test``; assess PATCHes it when the candidate has
completed the test; Greenhouse answers with the status code only and then reads
``test_status``, which this fake does on each PATCH and keeps in ``statuses``.
"""

from __future__ import annotations

import threading
from typing import Any

from fakes.ats_server import Answer, FakeAtsServer, Received, basic_header, call

TAKE_HOME_TESTS = "/integrations/testing_partners/take_home_tests/"


class FakeGreenhouse:
    def __init__(self, assess_url: str, key: str) -> None:
        self.base = f"{assess_url}/partners/greenhouse"
        self.key = key
        self.statuses: list[Answer] = []
        #: Which take-home test's status to read after its PATCH: id -> partner_interview_id.
        self.interviews: dict[str, str] = {}
        self.read = threading.Event()
        self.server = FakeAtsServer(self._handle)

    def _handle(self, received: Received) -> tuple[int, Any]:
        if received.method != "PATCH" or not received.path.startswith(TAKE_HOME_TESTS):
            return 404, {"errors": ["not found"]}
        if received.headers.get("authorization") != basic_header(self.key):
            return 401, {"errors": ["bad API key"]}
        interview = self.interviews.get(received.path.removeprefix(TAKE_HOME_TESTS))
        if interview is None:
            return 404, {"errors": ["no such take-home test"]}
        # Greenhouse reads the status once the PATCH is answered; a thread stands in for its queue.
        threading.Thread(target=self._read_status, args=(interview,), daemon=True).start()
        return 200, {}

    def _read_status(self, interview: str) -> None:
        self.statuses.append(self.test_status(interview))
        self.read.set()

    def take_home_test_url(self, take_home_test: str) -> str:
        return f"{self.server.url}{TAKE_HOME_TESTS}{take_home_test}"

    def list_tests(self) -> Answer:
        return call("GET", f"{self.base}/list_tests", self.key)

    def send_test(self, test_id: str, take_home_test: str, email: str, first: str, last: str) -> Answer:
        answer = call(
            "POST",
            f"{self.base}/send_test",
            self.key,
            {
                "partner_test_id": test_id,
                "candidate": {
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "resume_url": None,
                    "phone_number": None,
                    "greenhouse_profile_url": "https://app.greenhouse.io/people/1?application_id=2",
                },
                "url": self.take_home_test_url(take_home_test),
            },
        )
        if answer.status == 200:
            self.interviews[take_home_test] = answer.body["partner_interview_id"]
        return answer

    def test_status(self, partner_interview_id: str) -> Answer:
        return call("GET", f"{self.base}/test_status?partner_interview_id={partner_interview_id}", self.key)

    def response_error(self, api_call: str, errors: list[str], partner_interview_id: str) -> Answer:
        body = {"api_call": api_call, "errors": errors, "partner_interview_id": partner_interview_id}
        return call("POST", f"{self.base}/response_error", self.key, body)

    def stop(self) -> None:
        self.server.stop()
