"""The school-folder tables: columns, types and allowed codes (DESIGN.md, "A school folder")."""

from __future__ import annotations

from dataclasses import dataclass

CENSUS_NEEDS = (
    "SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS", "OTH", "NSA",
)  # fmt: skip
NEED_LABELS = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication",
    "HI": "Hearing impairment",
    "VI": "Visual impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "DS": "Down syndrome",
    "OTH": "Other difficulty or disability",
    "NSA": "SEN support, no specialist assessment",
}
SEN_STATUSES = ("K", "E", "M")
SEN_STATUS_LABELS = {"K": "SEN support", "E": "EHC plan", "M": "Monitored (not on register)"}
YEAR_GROUPS = ("N1", "N2", "R", *(str(n) for n in range(1, 14)))
ROLES = ("sendco", "assistant_sendco", "class_teacher", "head_of_year", "other")
CHANNELS = ("office", "class_teacher", "email", "phone", "other")
REQUEST_KINDS = ("meeting", "information", "safeguarding", "urgent_day_to_day")
RESPONSES = (
    "meeting_offered",
    "more_information_needed",
    "timescale_proposed",
    "answered_without_meeting",
    "routed_safeguarding",
    "routed_class_teacher",
)
ROUTED_KINDS = ("safeguarding", "urgent_day_to_day")
ROUTED_RESPONSES = ("routed_safeguarding", "routed_class_teacher")
MEETING_KINDS = ("review", "annual_review", "concern", "surgery", "external_agency", "other")
#: Meetings with parents that count towards the three-a-year duty when held (DOMAIN.md).
COUNTING_KINDS = ("review", "annual_review", "concern")
MODES = ("in_person", "remote", "phone")
MEETING_STATUSES = ("held", "scheduled", "cancelled", "did_not_attend")
OUTCOMES = ("progress", "some_progress", "no_progress", "met")
#: plan_type values (compared in lower case) that are EHC plans, reviewed at annual reviews.
EHC_PLAN_TYPES = ("ehcp", "ehc plan")
#: EHC needs assessments (DOMAIN.md, "EHC needs assessments").
REQUESTED_BY = ("school", "parent", "other")
DECISIONS = ("assess", "refuse")
ASSESSMENT_OUTCOMES = ("plan_issued", "no_plan", "withdrawn")
#: Register changes: a census status, monitored, or off the school's records.
REGISTER_STATUSES = ("K", "E", "M", "left")
SEXES = ("F", "M")
#: Provision (DOMAIN.md, "Provision"): what an intervention is; a resource is bought by the year.
INTERVENTION_KINDS = ("small_group", "one_to_one", "in_class", "external_specialist", "resource")
#: Where a Year 11 pupil goes after Year 11 (DOMAIN.md "An annual review": who has the
#: 31 March transfer deadline).
POST16_DESTINATIONS = ("own_sixth_form", "college", "other")


@dataclass(frozen=True)
class Column:
    """One column of a table: its type, whether a cell may be empty, its allowed codes."""

    name: str
    kind: str  # id | text | code | year_group | date | datetime | int | number | bool
    nullable: bool = False
    codes: tuple[str, ...] = ()
    optional: bool = False  # the column itself may be absent from the file


@dataclass(frozen=True)
class Table:
    """A table of the school folder: its file stem, key column (if any) and columns.

    An ``optional`` table may be absent from the folder: it then loads as an empty frame
    with its typed columns ("not recorded", never zero).
    """

    name: str
    key: str | None
    columns: tuple[Column, ...]
    optional: bool = False

    @property
    def required(self) -> list[str]:
        """Columns every export must have."""
        return [c.name for c in self.columns if not c.optional]


TABLES: dict[str, Table] = {
    "staff": Table(
        "staff",
        "staff_id",
        (Column("staff_id", "id"), Column("role", "code", codes=ROLES)),
    ),
    "pupils": Table(
        "pupils",
        "pupil_id",
        (
            Column("pupil_id", "id"),
            Column("year_group", "year_group", codes=YEAR_GROUPS),
            Column("sen_status", "code", codes=SEN_STATUSES),
            Column("primary_need", "code", nullable=True, codes=CENSUS_NEEDS),
            Column("lead_staff_id", "id"),
            Column("registered_on", "date", nullable=True),
            Column("last_annual_review_on", "date", nullable=True),
            Column("sex", "code", nullable=True, codes=SEXES, optional=True),
            Column("fsm", "bool", nullable=True, optional=True),
            Column("display_name", "text", nullable=True, optional=True),
            Column("date_of_birth", "date", nullable=True, optional=True),
            Column(
                "post16_destination",
                "code",
                nullable=True,
                codes=POST16_DESTINATIONS,
                optional=True,
            ),
        ),
    ),
    "requests": Table(
        "requests",
        "request_id",
        (
            Column("request_id", "id"),
            Column("pupil_id", "id"),
            Column("received_on", "date"),
            Column("channel", "code", codes=CHANNELS),
            Column("kind", "code", codes=REQUEST_KINDS),
            Column("acknowledged_on", "date", nullable=True),
            Column("response", "code", nullable=True, codes=RESPONSES),
        ),
    ),
    "meetings": Table(
        "meetings",
        "meeting_id",
        (
            Column("meeting_id", "id"),
            Column("pupil_id", "id", nullable=True),
            Column("kind", "code", codes=MEETING_KINDS),
            Column("starts_at", "datetime"),
            Column("minutes", "int"),
            Column("lead_staff_id", "id"),
            Column("sendco_attended", "bool"),
            Column("mode", "code", codes=MODES),
            Column("status", "code", codes=MEETING_STATUSES),
            Column("record_sent_on", "date", nullable=True),
            Column("request_id", "id", nullable=True),
            # Annual reviews: when invitations went out, when the local authority decided.
            Column("invited_on", "date", nullable=True, optional=True),
            Column("la_decision_on", "date", nullable=True, optional=True),
        ),
    ),
    "plans": Table(
        "plans",
        "plan_id",
        (
            Column("plan_id", "id"),
            Column("pupil_id", "id"),
            Column("plan_type", "text"),
            Column("starts_on", "date"),
            Column("review_due_on", "date"),
            Column("reviewed_on", "date", nullable=True),
            Column("outcome", "code", nullable=True, codes=OUTCOMES),
        ),
    ),
    "assessments": Table(
        "assessments",
        "assessment_id",
        (
            Column("assessment_id", "id"),
            Column("pupil_id", "id"),
            Column("requested_on", "date"),
            Column("requested_by", "code", codes=REQUESTED_BY),
            Column("decision_on", "date", nullable=True),
            Column("decision", "code", nullable=True, codes=DECISIONS),
            Column("advice_requested_on", "date", nullable=True),
            Column("advice_sent_on", "date", nullable=True),
            Column("final_on", "date", nullable=True),
            Column("outcome", "code", nullable=True, codes=ASSESSMENT_OUTCOMES),
        ),
        optional=True,
    ),
    "register_changes": Table(
        "register_changes",
        None,
        (
            Column("pupil_id", "id"),
            Column("changed_on", "date"),
            # Empty: the pupil was on no list before (a new concern, a pupil joining).
            Column("from_status", "code", nullable=True, codes=REGISTER_STATUSES),
            Column("to_status", "code", codes=REGISTER_STATUSES),
            Column("reason", "text", nullable=True, optional=True),
        ),
        optional=True,
    ),
    "interventions": Table(
        "interventions",
        "intervention_id",
        (
            Column("intervention_id", "id"),
            Column("name", "text"),
            Column("kind", "code", codes=INTERVENTION_KINDS),
            Column("staff_role", "text", nullable=True),
            # The hourly figures are empty for a resource, which has annual_cost instead.
            Column("hourly_cost", "number", nullable=True),
            Column("group_size", "int", nullable=True),
            Column("sessions_per_week", "number", nullable=True),
            Column("minutes_per_session", "int", nullable=True),
            Column("annual_cost", "number", nullable=True, optional=True),
            Column("higher_is_better", "bool", nullable=True, optional=True),
        ),
        optional=True,
    ),
    "provisions": Table(
        "provisions",
        "provision_id",
        (
            Column("provision_id", "id"),
            Column("pupil_id", "id"),
            Column("intervention_id", "id"),
            Column("starts_on", "date"),
            Column("ends_on", "date", nullable=True),
            Column("entry_measure", "number", nullable=True, optional=True),
            Column("exit_measure", "number", nullable=True, optional=True),
            Column("measure_name", "text", nullable=True, optional=True),
        ),
        optional=True,
    ),
}

#: Load order: every table refers only to tables before it.
TABLE_ORDER = (
    "staff", "pupils", "requests", "meetings", "plans", "assessments", "register_changes",
    "interventions", "provisions",
)  # fmt: skip
