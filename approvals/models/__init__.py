from .audit import AuditChain, AuditEvent
from .bloc_reviews import (
    AcclaimChoice,
    AcclaimMark,
    AcclaimResult,
    BlocCriterion,
    BlocDelegate,
    BlocReview,
    BlocScore,
    ReviewStatus,
    TieRule,
)
from .blocs import BlocLeadership, BlocMembership, EmulationBloc
from .calendar import CalendarDay
from .campaigns import Campaign, EmulationRegistration
from .catalogue import Award, AwardRule, AwardVersion, DocumentRequirement, DocumentType
from .councils import AwardsCouncil, CouncilMembership
from .decisions import Decision, DecisionEntry, DecisionKind, EntryAction, ImmutableError
from .dossiers import Attachment
from .eligibility import Initiative, PendingCase, RuleOverride, ServiceBreak
from .jobs import Job, JobStatus
from .nominations import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    LIVE_STATUSES,
    EventAction,
    Nomination,
    NominationEvent,
    NominationStatus,
    SubmissionLetter,
)
from .notifications import Notification, NotificationKind
from .organisation import Unit, UnitLevel
from .people import Person
from .posting import Objection
from .registry import AwardRecord, RecordSource
from .roles import (
    BlocGroupObjectPermission,
    BlocUserObjectPermission,
    CouncilGroupObjectPermission,
    CouncilUserObjectPermission,
    RoleAssignment,
    UnitGroupObjectPermission,
    UnitUserObjectPermission,
)
from .voting import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    BallotChoice,
    Choice,
    CouncilSession,
    SessionStatus,
    VoteMark,
)

__all__ = [
    "ACTIVE_STATUSES",
    "FINAL_STATUSES",
    "LIVE_STATUSES",
    "AcclaimChoice",
    "AcclaimMark",
    "AcclaimResult",
    "AgendaItem",
    "Attachment",
    "Attendance",
    "AttendanceStatus",
    "AuditChain",
    "AuditEvent",
    "Award",
    "AwardRecord",
    "AwardRule",
    "AwardVersion",
    "AwardsCouncil",
    "Ballot",
    "BallotChoice",
    "BlocCriterion",
    "BlocDelegate",
    "BlocGroupObjectPermission",
    "BlocLeadership",
    "BlocMembership",
    "BlocReview",
    "BlocScore",
    "BlocUserObjectPermission",
    "CalendarDay",
    "Campaign",
    "Choice",
    "CouncilGroupObjectPermission",
    "CouncilMembership",
    "CouncilSession",
    "CouncilUserObjectPermission",
    "Decision",
    "DecisionEntry",
    "DecisionKind",
    "DocumentRequirement",
    "DocumentType",
    "EmulationBloc",
    "EmulationRegistration",
    "EntryAction",
    "EventAction",
    "ImmutableError",
    "Initiative",
    "Job",
    "JobStatus",
    "Nomination",
    "NominationEvent",
    "NominationStatus",
    "Notification",
    "NotificationKind",
    "Objection",
    "PendingCase",
    "Person",
    "RecordSource",
    "ReviewStatus",
    "RoleAssignment",
    "RuleOverride",
    "ServiceBreak",
    "SessionStatus",
    "SubmissionLetter",
    "TieRule",
    "Unit",
    "UnitGroupObjectPermission",
    "UnitLevel",
    "UnitUserObjectPermission",
    "VoteMark",
]
