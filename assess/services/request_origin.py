"""Where a candidate's request came from, as coarsely as the integrity rules need it."""

from __future__ import annotations

from dataclasses import dataclass

from integrity.origins import agent_family, network_prefix

#: The keys of an event's ``detail`` that say where the request came from.
ORIGIN_KEYS = ("agent", "network")


@dataclass(frozen=True)
class RequestOrigin:
    """A request's browser family and network prefix; the full user agent and address are dropped here."""

    agent: str
    network: str

    @classmethod
    def of(cls, user_agent: str, address: str) -> RequestOrigin:
        return cls(agent=agent_family(user_agent), network=network_prefix(address))

    def detail(self) -> dict[str, str]:
        """The keys every event a candidate's request writes carries in its ``detail``."""
        return dict(zip(ORIGIN_KEYS, (self.agent, self.network), strict=True))


def with_origin(detail: dict[str, object], origin: RequestOrigin | None) -> dict[str, object]:
    """An event's detail with the request's origin added, when the request is a candidate's."""
    return detail if origin is None else {**detail, **origin.detail()}
