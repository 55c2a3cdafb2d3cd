"""The database models; importing this module registers every table on ``Base.metadata``."""

# Registered; its users import it from its own module.
import assess.models.api_key  # noqa: F401
import assess.models.ats  # noqa: F401

# Registered, not re-exported: only the modules named in its docstring may import it.
import assess.models.self_identification  # noqa: F401
from assess.models.attempt import Answer, Attempt, AttemptItem, ItemScore, TimeGrant
from assess.models.authoring import AuthoredForm, AuthoredItem, ItemVersionLog
from assess.models.base import Base
from assess.models.campaign import Campaign
from assess.models.debrief import HiringDecision, InterviewAssignment
from assess.models.delivery import Delivery
from assess.models.integrity import IntegrityAssessment, SignalReview
from assess.models.interview import Scorecard
from assess.models.invitation import Invitation
from assess.models.item_version import StoredItemVersion
from assess.models.review import AttemptEvent, Regrade, RegradedScore, RubricReview
from assess.models.staff import AuditEntry, OutboxMessage, StaffUser
from assess.models.webhook import InvitationExpiryNotice, WebhookEndpoint

__all__ = [
    "Answer",
    "Attempt",
    "AttemptEvent",
    "AttemptItem",
    "AuditEntry",
    "AuthoredForm",
    "AuthoredItem",
    "Base",
    "Campaign",
    "Delivery",
    "HiringDecision",
    "IntegrityAssessment",
    "InterviewAssignment",
    "Invitation",
    "InvitationExpiryNotice",
    "ItemScore",
    "ItemVersionLog",
    "OutboxMessage",
    "Regrade",
    "RegradedScore",
    "RubricReview",
    "Scorecard",
    "SignalReview",
    "StaffUser",
    "StoredItemVersion",
    "TimeGrant",
    "WebhookEndpoint",
]
