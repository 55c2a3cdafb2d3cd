"""The background sweep that finalizes attempts nobody came back to, and sends the outbox.

Every worker of every host may run one: ``finalize_expired`` finalizes each
attempt exactly once with a conditional UPDATE, so concurrent sweeps are safe.
After each round it announces links that expired unused, sends due deliveries (webhooks,
ATS updates; the outbox claims each row for one worker), recomputes the integrity tiers
of one campaign with a newly finished attempt, so no report request ever computes them, and
deletes the raw integrity observations of attempts that ended more than 180 days ago.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from assess.clock import Clock
from assess.services.finalization import finalize_expired
from assess.services.hiring_events import announce_expired_invitations
from assess.services.integrity_findings import refresh_campaign_tiers, stale_campaign
from assess.services.integrity_retention import delete_expired_observations
from assess.services.outbox import DeliveryPass, deliver_due

#: Deliveries are claimed this many at a time. A round claims batch after batch while they come
#: back full, for at most one interval: a backlog drains, and the next deadline round stays near.
DELIVERY_BATCH = 10

log = logging.getLogger(__name__)


class DeadlineSweep:
    """A daemon thread calling ``finalize_expired`` every ``interval_seconds``."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        grace_seconds: int,
        interval_seconds: float,
        *,
        allow_private_targets: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._allow_private_targets = allow_private_targets
        self._clock = clock
        self._grace_seconds = grace_seconds
        self._interval_seconds = interval_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="assess-deadline-sweep", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def sweep_once(self) -> int:
        with self._session_factory() as session:
            return finalize_expired(session, self._clock(), self._grace_seconds)

    def assess_integrity_once(self) -> int | None:
        """Refresh one campaign's integrity tiers: the work of a round stays bounded."""
        with self._session_factory() as session:
            campaign_id = stale_campaign(session)
            if campaign_id is not None:
                refresh_campaign_tiers(session, campaign_id, self._clock())
            return campaign_id

    def forget_expired_observations_once(self) -> int:
        """Delete the raw observations of a batch of attempts past the retention period."""
        with self._session_factory() as session:
            return delete_expired_observations(session, self._clock())

    def deliver_once(self) -> DeliveryPass:
        with self._session_factory() as session:
            announce_expired_invitations(session, self._clock())
        total = DeliveryPass()
        ends = time.monotonic() + self._interval_seconds
        while True:
            sent = deliver_due(
                self._session_factory,
                self._clock,
                limit=DELIVERY_BATCH,
                allow_private_targets=self._allow_private_targets,
            )
            total += sent
            if sent.claimed < DELIVERY_BATCH or time.monotonic() >= ends:
                return total

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_seconds):
            try:
                finalized = self.sweep_once()
            except Exception:
                # A database hiccup must not kill the sweep for the life of the process;
                # the next round retries, and the CLI's finalize-expired remains for cron.
                log.exception("deadline sweep failed; retrying in %s s", self._interval_seconds)
            else:
                if finalized:
                    log.info("deadline sweep finalized %d attempt(s)", finalized)
            try:
                self.assess_integrity_once()
                forgotten = self.forget_expired_observations_once()
            except Exception:
                log.exception("integrity tiers failed; retrying in %s s", self._interval_seconds)
            else:
                if forgotten:
                    log.info("deleted the raw integrity observations of %d attempt(s)", forgotten)
            try:
                sent = self.deliver_once()
            except Exception:
                log.exception("outbox delivery failed; retrying in %s s", self._interval_seconds)
                continue
            if sent.claimed:
                log.info("outbox: %s", sent)
