"""Standard tasks each engagement type starts with, in order, due N days after the start date."""

from typing import NamedTuple

from practice.models import EngagementType as T


class TaskTemplate(NamedTuple):
    title: str
    due_after_days: int


STANDARD_TASKS: dict[str, tuple[TaskTemplate, ...]] = {
    T.BOOKKEEPING: (
        TaskTemplate("Reconcile bank and card accounts", 5),
        TaskTemplate("Categorize transactions", 7),
        TaskTemplate("Review AR and AP", 10),
        TaskTemplate("Close the period", 12),
        TaskTemplate("Send statements", 15),
    ),
    T.TAX_PREP: (
        TaskTemplate("Collect documents", 14),
        TaskTemplate("Prepare return", 30),
        TaskTemplate("Review", 37),
        TaskTemplate("Client signature", 44),
        TaskTemplate("File", 45),
    ),
    T.ADVISORY: (
        TaskTemplate("Kickoff meeting", 3),
        TaskTemplate("Analysis", 14),
        TaskTemplate("Recommendations report", 21),
        TaskTemplate("Review meeting", 28),
    ),
    T.AUDIT: (
        TaskTemplate("Planning and risk assessment", 7),
        TaskTemplate("Internal controls testing", 21),
        TaskTemplate("Substantive testing", 35),
        TaskTemplate("Draft report", 45),
        TaskTemplate("Final report", 60),
    ),
    T.OTHER: (),
}
