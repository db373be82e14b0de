"""Tables. Importing this package registers every model with the metadata."""
from .assignments import ASSIGNMENT_ROLES, CycleAssignment
from .attachments import Attachment
from .audit import AuditEvent, AuditLogIsAppendOnly
from .calendar import WorkdayOverride, WorkdayYear
from .frameworks import FRAMEWORK_KINDS, FrameworkVersion
from .self_assessment import SelfAssessment
from .cycles import GRADES, PHASES, Cycle, CyclePhase, UnitAssessment
from .evaluation import AFFILIATIONS, EvaluationTeam, PanelProfile, SampleDraw, TeamMember, TeamUnit
from .filings import FILING_CODES, FILING_KINDS, Filing, FilingType, FilingTypeUnit
from .panel import PANEL_SHEET_STATES, FieldFindings, PanelScore
from .org import CONTACT_ROLES, UNIT_KINDS, Contact, Unit
from .outbox import CHANNELS as CHANNELS_OUTBOX, OUTBOX_STATES, InboxRead, OutboxAttempt, OutboxMessage
from .reminders import PREFERENCE_MODES, ROBOT_PLATFORMS, RobotHook, ReminderPolicySetting, ReminderPreference, ReminderRun, ReminderSchedule
from .rectification import (EXTENSION_STATUSES, ITEM_CATEGORIES, NOTICE_SOURCES, ClosedDay, Inspection,
                            ItemExtension, ItemNote, Notice, OverdueDay, RectificationItem, inspection_units)
from .users import ROLES, ApiToken, User
from .results import (COMMENDATION_KINDS, QUOTA_KINDS, Commendation, EvaluationOpinion, GradeAdjustment,
                      GradingRules)
from .bulletin import BULLETIN_SECTIONS, CycleBulletin

STATEFUL_MODELS = {m.object_type: m for m in (Cycle, UnitAssessment, RectificationItem, Notice, Filing)}


def check_bindings() -> None:
    """Fail at start-up if a machine names a guard or effect a table lacks."""
    for model in STATEFUL_MODELS.values():
        model.workflow.check_binding(model)


__all__ = [
    "AFFILIATIONS", "ASSIGNMENT_ROLES", "EvaluationTeam", "PanelProfile", "SampleDraw", "TeamMember", "TeamUnit", "ApiToken", "Attachment", "AuditEvent", "AuditLogIsAppendOnly", "CONTACT_ROLES", "Contact", "Cycle", "CycleAssignment",
    "CyclePhase", "FILING_CODES", "FILING_KINDS", "Filing", "FilingType", "FilingTypeUnit", "FRAMEWORK_KINDS", "FrameworkVersion", "SelfAssessment", "EXTENSION_STATUSES", "GRADES", "ITEM_CATEGORIES", "Inspection", "ItemExtension", "ItemNote", "NOTICE_SOURCES", "Notice", "OverdueDay", "ClosedDay", "OutboxMessage", "OutboxAttempt", "InboxRead",
    "ReminderRun", "ReminderSchedule", "ReminderPreference", "PREFERENCE_MODES",
    "PHASES", "ROLES", "RectificationItem", "STATEFUL_MODELS", "UNIT_KINDS", "Unit",
    "UnitAssessment", "User", "WorkdayOverride", "WorkdayYear", "check_bindings", "inspection_units",
    "PANEL_SHEET_STATES", "FieldFindings", "PanelScore",
    "COMMENDATION_KINDS", "QUOTA_KINDS", "Commendation", "EvaluationOpinion", "GradeAdjustment", "GradingRules",
    "BULLETIN_SECTIONS", "CycleBulletin",
    "ReminderPolicySetting", "ROBOT_PLATFORMS", "RobotHook",
]
