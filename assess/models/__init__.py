"""The database models; importing this module registers every table on ``Base.metadata``."""

from assess.models.attempt import Answer, Attempt, AttemptItem, ItemScore, TimeGrant
from assess.models.base import Base
from assess.models.campaign import Campaign
from assess.models.invitation import Invitation
from assess.models.item_version import StoredItemVersion

__all__ = [
    "Answer",
    "Attempt",
    "AttemptItem",
    "Base",
    "Campaign",
    "Invitation",
    "ItemScore",
    "StoredItemVersion",
    "TimeGrant",
]
