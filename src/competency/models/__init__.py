"""SQLModel tables of the domain model. Importing this package registers every table."""

from competency.models.assessments import (
    ASSESSMENT_KINDS,
    ASSESSMENT_STATUSES,
    CYCLE_AUDIENCES,
    Answer,
    AreaNote,
    AreaScore,
    Assessment,
    Cycle,
    FocusChoice,
    QuestionnaireVersion,
)
from competency.models.audit import AuditEvent, LoginAttempt
from competency.models.base import UTCDateTime, utcnow
from competency.models.figures import TeamFigures
from competency.models.jobs import Job, JobItem, StoredFile
from competency.models.notifications import MailPreference, PasswordToken, SentNotification
from competency.models.outbox import Outbox, WorkerLease
from competency.models.people import GLOBAL_ROLES, TEAM_ROLES, Membership, Team, User
from competency.models.security import RecoveryCode, UserSession
from competency.models.workflow import (
    PLAN_STATUSES,
    BlindSpotDiscussion,
    HomeVisit,
    PlanStepEvent,
    PlanStepStatus,
)

__all__ = [
    "ASSESSMENT_KINDS",
    "ASSESSMENT_STATUSES",
    "CYCLE_AUDIENCES",
    "GLOBAL_ROLES",
    "PLAN_STATUSES",
    "TEAM_ROLES",
    "Answer",
    "AreaNote",
    "AreaScore",
    "Assessment",
    "AuditEvent",
    "BlindSpotDiscussion",
    "Cycle",
    "FocusChoice",
    "HomeVisit",
    "Job",
    "JobItem",
    "LoginAttempt",
    "MailPreference",
    "Membership",
    "Outbox",
    "PasswordToken",
    "PlanStepEvent",
    "PlanStepStatus",
    "QuestionnaireVersion",
    "RecoveryCode",
    "SentNotification",
    "StoredFile",
    "Team",
    "TeamFigures",
    "UTCDateTime",
    "User",
    "UserSession",
    "WorkerLease",
    "utcnow",
]
