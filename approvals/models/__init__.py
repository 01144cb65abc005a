from .audit import AuditEvent
from .blocs import BlocLeadership, BlocMembership, EmulationBloc
from .calendar import CalendarDay
from .campaigns import Campaign, EmulationRegistration
from .catalogue import Award, AwardRule, AwardVersion, DocumentType
from .councils import AwardsCouncil, CouncilMembership
from .dossiers import Attachment
from .nominations import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    EventAction,
    Nomination,
    NominationEvent,
    NominationStatus,
    SubmissionLetter,
)
from .notifications import Notification, NotificationKind
from .organisation import Unit, UnitLevel
from .people import Person
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
    "AgendaItem",
    "Attachment",
    "Attendance",
    "AttendanceStatus",
    "AuditEvent",
    "Award",
    "AwardRule",
    "AwardVersion",
    "AwardsCouncil",
    "Ballot",
    "BallotChoice",
    "BlocGroupObjectPermission",
    "BlocLeadership",
    "BlocMembership",
    "BlocUserObjectPermission",
    "CalendarDay",
    "Campaign",
    "Choice",
    "CouncilGroupObjectPermission",
    "CouncilMembership",
    "CouncilSession",
    "CouncilUserObjectPermission",
    "DocumentType",
    "EmulationBloc",
    "EmulationRegistration",
    "EventAction",
    "Nomination",
    "NominationEvent",
    "NominationStatus",
    "Notification",
    "NotificationKind",
    "Person",
    "RoleAssignment",
    "SessionStatus",
    "SubmissionLetter",
    "Unit",
    "UnitGroupObjectPermission",
    "UnitLevel",
    "UnitUserObjectPermission",
    "VoteMark",
]
