"""The practice API's request and response examples in the published schema, made once here from one
small, consistent world (a firm, its client Initech, an engagement, two time entries, a timer) and
referenced by the views' extend_schema. Ids are well-formed (axiomatic.core.ids: prefix and 26
Crockford base32 characters), amounts are hours x rate in cents, dates agree with each other."""

from drf_spectacular.utils import OpenApiExample

from axiomatic.core.ids import is_public_id


def _id(prefix: str, body: str) -> str:
    value = f"{prefix}_{body}"
    assert is_public_id(value, prefix), value  # a typo here fails at start-up, not in a client
    return value


FIRM_ID = _id("ent", "01jcz8k2m4n6p8r0s2t4v6w8x0")
CLIENT_ID = _id("ent", "01jd0a3b5c7d9e1f3g5h7j9k1m")
LINK_ID = _id("pcl", "01jd0a3b5c7d9e1f3g5h7j9k1n")
BOOK_ID = _id("bk", "01jd0a3b5c7d9e1f3g5h7j9k1p")
USER_ID = _id("usr", "01jbx4y6z8a0b2c4d6e8f0g2h4")
ENGAGEMENT_ID = _id("eng", "01jd1b4c6d8e0f2g4h6j8k0m2n")
TASK_IDS = [_id("task", f"01jd1b4c6d8e0f2g4h6j8k0m3{c}") for c in "abcde"]
ENTRY_ID = _id("te", "01jd2c5d7e9f1g3h5j7k9m1n3p")
OTHER_ENTRY_ID = _id("te", "01jd2c5d7e9f1g3h5j7k9m1n3q")
TIMER_ID = _id("tmr", "01jd3d6e8f0g2h4j6k8m0n2p4q")
STOPPED_TIMER_ID = _id("tmr", "01jd3d6e8f0g2h4j6k8m0n2p4r")
INVITATION_ID = _id("invt", "01jd4e7f9g1h3j5k7m9n1p3q5r")
INVOICE_ID = _id("inv", "01jd5f8g0h2j4k6m8n0p2q4r6s")

RATE = 15_000  # cents per hour
CREATED = "2026-11-02T14:05:09.120000Z"


def response(name: str, value, *, status: int = 200, summary: str = "") -> OpenApiExample:
    return OpenApiExample(
        name, value=value, summary=summary or name, response_only=True, status_codes=[str(status)]
    )


def request(name: str, value, *, summary: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary or name, request_only=True)


# --- Clients -------------------------------------------------------------------------------------

LINK = {
    "id": LINK_ID,
    "clientTier": "STARTER",
    "billingMode": "consolidated",
    "monthlyFee": 79,
    "monthlyFeeCents": 7_900,
    "defaultRate": RATE,
    "externalReference": "crm-1042",
    "createdAt": CREATED,
    "updatedAt": CREATED,
}
CLIENT = {
    "id": CLIENT_ID,
    "name": "Initech LLC",
    "type": "llc",
    "industry": "Software",
    "createdAt": CREATED,
    "link": LINK,
}
CLIENT_CREATED = {
    "entity": {
        "id": CLIENT_ID,
        "name": "Initech LLC",
        "type": "llc",
        "industry": "Software",
        "currency": "USD",
        "createdAt": CREATED,
        "books": [{"id": BOOK_ID, "name": "Main", "basis": "accrual", "isPrimary": True}],
    },
    "link": LINK,
}
CLIENT_CREATE_BODY = {
    "firmEntityId": FIRM_ID,
    "name": "Initech LLC",
    "type": "llc",
    "industry": "Software",
    "tier": "STARTER",
    "billingMode": "consolidated",
    "defaultRate": RATE,
    "externalReference": "crm-1042",
}
INVITATION = {
    "id": INVITATION_ID,
    "entityId": CLIENT_ID,
    "email": "peter@initech.example",
    "role": "VIEWER",
    "status": "pending",
    "expiresAt": "2026-11-09T14:05:09.120000Z",
    "sentCount": 1,
    "createdAt": CREATED,
}

# A paged list's example is its item: the schema shows it inside a page (hasMore, nextCursor).
CLIENTS_LIST = [response("A page of clients", CLIENT)]
CLIENTS_GET = [response("A client", {"client": CLIENT})]
CLIENTS_CREATE = [
    request("A new client", CLIENT_CREATE_BODY),
    response("Created, with its books", CLIENT_CREATED, status=201),
]
CLIENTS_UPDATE = [
    request("A new tier", {"tier": "PROFESSIONAL"}),
    response(
        "The client after the change",
        {
            "entity": CLIENT_CREATED["entity"],
            "link": {
                **LINK,
                "clientTier": "PROFESSIONAL",
                "monthlyFee": 149,
                "monthlyFeeCents": 14_900,
                "updatedAt": "2026-11-03T09:00:00Z",
            },
        },
    ),
]
CLIENTS_INVITE = [
    request("Invite a viewer", {"email": "peter@initech.example", "role": "VIEWER"}),
    response("The invitation sent", {"invitation": INVITATION}, status=201),
]

# --- Engagements --------------------------------------------------------------------------------

TASK_TITLES = (
    "Reconcile bank and card accounts",
    "Categorize transactions",
    "Review AR and AP",
    "Close the period",
    "Send statements",
)
TASK_DUE = ("2026-10-06", "2026-10-08", "2026-10-11", "2026-10-13", "2026-10-16")
TASKS = [
    {
        "id": task_id,
        "title": title,
        "position": position,
        "dueDate": due,
        "assigneeUserId": USER_ID,
        "completed": position == 1,
        "completedAt": "2026-11-04T16:30:00Z" if position == 1 else None,
    }
    for position, (task_id, title, due) in enumerate(
        zip(TASK_IDS, TASK_TITLES, TASK_DUE, strict=True), start=1
    )
]
ENGAGEMENT = {
    "id": ENGAGEMENT_ID,
    "entityId": CLIENT_ID,
    "name": "Q4 bookkeeping",
    "type": "bookkeeping",
    "status": "active",
    "recurrence": None,
    "periodKey": None,
    "startDate": "2026-10-01",
    "dueDate": "2026-12-31",
    "assigneeUserId": USER_ID,
    "notes": "Monthly close, quarterly review.",
    "completedAt": None,
    "createdAt": CREATED,
    "updatedAt": "2026-11-04T16:30:00Z",
    "tasks": TASKS,
    "billingMethod": "hourly",
    "rate": RATE,
    "fee": None,
    "budgetHours": 40.0,
    "budgetAmount": 600_000,
    "actualHours": 3.75,  # the two time entries below
    "actualAmount": 56_250,
    "budgetUsed": 0.0938,  # 56,250 of 600,000 cents
}
ENGAGEMENT_CREATE_BODY = {
    "firmEntityId": FIRM_ID,
    "entityId": CLIENT_ID,
    "name": "Q4 bookkeeping",
    "startDate": "2026-10-01",
    "type": "bookkeeping",
    "dueDate": "2026-12-31",
    "assigneeUserId": USER_ID,
    "notes": "Monthly close, quarterly review.",
    "billingMethod": "hourly",
    "rate": RATE,
    "budgetHours": 40,
    "budgetAmount": 600_000,
}
FIRM_BODY = [request("The firm (may be left out)", {"firmEntityId": FIRM_ID})]
ENGAGEMENT_ANSWER = [response("The engagement", {"engagement": ENGAGEMENT})]
_REOPENED = [{**TASKS[0], "completed": False, "completedAt": None}, *TASKS[1:]]

ENGAGEMENTS_LIST = [response("A page of engagements", ENGAGEMENT)]
ENGAGEMENTS_GET = ENGAGEMENT_ANSWER
ENGAGEMENTS_CREATE = [
    request("An hourly engagement with budgets", ENGAGEMENT_CREATE_BODY),
    response(
        "Created with its standard tasks",
        {
            "engagement": {
                **ENGAGEMENT,
                "updatedAt": CREATED,
                "tasks": _REOPENED,
                "actualHours": 0.0,
                "actualAmount": 0,
                "budgetUsed": 0.0,
            }
        },
        status=201,
    ),
]
ENGAGEMENTS_PATCH = [
    request("Complete a task", {"firmEntityId": FIRM_ID, "taskId": TASK_IDS[0]}),
    request(
        "Set a status",
        {"firmEntityId": FIRM_ID, "engagementId": ENGAGEMENT_ID, "status": "active"},
    ),
    *ENGAGEMENT_ANSWER,
]
ENGAGEMENTS_UPDATE = [
    request("A new due date and budget", {"dueDate": "2026-12-31", "budgetAmount": 600_000}),
    *ENGAGEMENT_ANSWER,
]
TASK_COMPLETE = [*FIRM_BODY, *ENGAGEMENT_ANSWER]
TASK_REOPEN = [
    *FIRM_BODY,
    response("The engagement", {"engagement": {**ENGAGEMENT, "tasks": _REOPENED}}),
]

# --- Time -----------------------------------------------------------------------------------------

ENTRY = {
    "id": ENTRY_ID,
    "entityId": CLIENT_ID,
    "engagementId": ENGAGEMENT_ID,
    "taskId": TASK_IDS[0],
    "userId": USER_ID,
    "date": "2026-11-04",
    "hours": 2.5,
    "description": "Reconciled October bank and card accounts",
    "billable": True,
    "rate": RATE,
    "rateSource": "engagement",
    "amount": 37_500,  # 2.5 h x 150.00
    "billingStatus": "unbilled",
    "invoiced": False,
    "invoiceId": None,
    "invoice": None,
    "isLocked": False,
    "lockedReason": None,
    "externalReference": "harvest-88121",
    "approvalStatus": "open",
    "approvedAt": None,
    "approvedBy": None,
    "createdAt": "2026-11-04T17:02:44.501000Z",
    "updatedAt": "2026-11-04T17:02:44.501000Z",
}
BILLED_ENTRY = {
    **ENTRY,
    "id": OTHER_ENTRY_ID,
    "taskId": TASK_IDS[1],
    "date": "2026-11-03",
    "hours": 1.25,
    "description": "Categorized October transactions",
    "amount": 18_750,  # 1.25 h x 150.00
    "billingStatus": "billed",
    "invoiced": True,
    "invoiceId": INVOICE_ID,
    "invoice": {"id": INVOICE_ID, "number": "INV-000042"},
    "isLocked": True,
    "lockedReason": "invoiced",
    "externalReference": None,
    "approvalStatus": "approved",
    "approvedAt": "2026-11-03T18:00:00Z",
    "approvedBy": USER_ID,
    "createdAt": "2026-11-03T17:40:00Z",
    "updatedAt": "2026-11-05T10:00:00Z",
}
ENTRY_ANSWER = response("The entry", {"entry": ENTRY})
TIME_CSV = (
    "id,entityId,engagementId,taskId,userId,date,hours,description,billable,rate,rateSource,"
    "amount,billingStatus,invoiced,invoiceId,invoice.id,invoice.number,isLocked,lockedReason,"
    "externalReference,approvalStatus,approvedAt,approvedBy,createdAt,updatedAt\r\n"
    f"{ENTRY_ID},{CLIENT_ID},{ENGAGEMENT_ID},{TASK_IDS[0]},{USER_ID},2026-11-04,2.5,"
    f"Reconciled October bank and card accounts,true,{RATE},engagement,37500,unbilled,false,,,,"
    "false,,harvest-88121,open,,,2026-11-04T17:02:44.501000Z,2026-11-04T17:02:44.501000Z\r\n"
)

TIME_LIST = [
    response(
        "A page of time",
        {
            "entries": [ENTRY, BILLED_ENTRY],
            "totalHours": 3.75,
            "billableHours": 3.75,
            "hasMore": False,
            "nextCursor": None,
        },
    ),
    OpenApiExample(
        "format=csv",
        value=TIME_CSV,
        summary="format=csv (one row shown)",
        response_only=True,
        status_codes=["200"],
        media_type="text/csv",
    ),
]
TIME_GET = [ENTRY_ANSWER]
TIME_CREATE = [
    request(
        "Time on an engagement's task",
        {
            "firmEntityId": FIRM_ID,
            "entityId": CLIENT_ID,
            "date": "2026-11-04",
            "hours": 2.5,
            "description": "Reconciled October bank and card accounts",
            "engagementId": ENGAGEMENT_ID,
            "taskId": TASK_IDS[0],
            "userId": USER_ID,
            "externalReference": "harvest-88121",
        },
    ),
    response("The entry logged, at its engagement's rate", {"entry": ENTRY}, status=201),
]
TIME_UPDATE = [
    request("More hours", {"hours": 3}),
    response(
        "The entry after the change",
        {"entry": {**ENTRY, "hours": 3.0, "amount": 45_000, "updatedAt": "2026-11-05T08:12:00Z"}},
    ),
]
TIME_HISTORY = [
    response(
        "Logged, then edited",
        {
            "history": [
                {
                    "at": "2026-11-04T17:02:44.501000Z",
                    "change": "created",
                    "by": {"userId": USER_ID, "apiKeyId": None},
                    "reason": None,
                    "fields": {"hours": {"from": None, "to": 2.5}},
                },
                {
                    "at": "2026-11-05T08:12:00Z",
                    "change": "updated",
                    "by": {"userId": USER_ID, "apiKeyId": None},
                    "reason": None,
                    "fields": {
                        "hours": {"from": 2.5, "to": 3.0},
                        "amount": {"from": 37_500, "to": 45_000},
                    },
                },
            ],
            "hasMore": False,
            "nextCursor": None,
        },
    )
]
_APPROVAL_BODY = {"firmEntityId": FIRM_ID, "timeEntryIds": [ENTRY_ID, OTHER_ENTRY_ID]}
TIME_APPROVE = [request("Two entries", _APPROVAL_BODY), response("Approved", {"approved": 2})]
TIME_UNAPPROVE = [
    request("Two entries", _APPROVAL_BODY),
    response("Returned to open", {"unapproved": 1}, summary="One of the two was approved"),
]

# --- Staff, settings ----------------------------------------------------------------------------

STAFF_MEMBER = {
    "userId": USER_ID,
    "email": "milton@alpha-cpa.example",
    "name": "Milton Waddams",
    "role": "MEMBER",
    "rate": RATE,
    "rates": [
        {"rate": 12_500, "effectiveFrom": "2026-01-01"},
        {"rate": RATE, "effectiveFrom": "2026-07-01"},
    ],
}
STAFF_LIST = [
    response("The firm's people", {"staff": [STAFF_MEMBER], "hasMore": False, "nextCursor": None})
]
STAFF_RATE_CREATE = [
    request("A raise from January", {"rate": 17_500, "effectiveFrom": "2027-01-01"}),
    response(
        "The staff member with the new rate",
        {
            "staffMember": {
                **STAFF_MEMBER,
                "rates": [*STAFF_MEMBER["rates"], {"rate": 17_500, "effectiveFrom": "2027-01-01"}],
            }
        },
        status=201,
    ),
]
SETTINGS = {
    "requireApproval": True,
    "timeLockDate": "2026-09-30",
    "timeRounding": {"minutes": 6, "mode": "up"},
    "defaultRate": 12_000,
    "paymentTermsDays": 30,
}
SETTINGS_GET = [response("The firm's settings", {"settings": SETTINGS})]
SETTINGS_UPDATE = [
    request(
        "Lock September, bill in tenths of an hour",
        {"timeLockDate": "2026-09-30", "timeRounding": {"minutes": 6, "mode": "up"}},
    ),
    response("Every setting after the change", {"settings": SETTINGS}),
]

# --- Timers -------------------------------------------------------------------------------------

TIMER = {
    "id": TIMER_ID,
    "userId": USER_ID,
    "entityId": CLIENT_ID,
    "engagementId": ENGAGEMENT_ID,
    "taskId": TASK_IDS[2],
    "description": "Reviewing AR and AP",
    "billable": None,
    "status": "running",
    "startedAt": "2026-11-05T09:00:00Z",
    "stoppedAt": None,
    "elapsedSeconds": 1_800,
    "timeEntryId": None,
}
STOPPED_TIMER = {
    **TIMER,
    "id": STOPPED_TIMER_ID,
    "taskId": TASK_IDS[0],
    "description": ENTRY["description"],
    "status": "stopped",
    "startedAt": "2026-11-04T14:32:00Z",
    "stoppedAt": "2026-11-04T17:02:00Z",
    "elapsedSeconds": 9_000,  # 2.5 h: the entry's hours
    "timeEntryId": ENTRY_ID,
}
TIMERS_LIST = [response("Running timers", {"timers": [TIMER]})]
TIMERS_START = [
    request(
        "Start on a task",
        {
            "firmEntityId": FIRM_ID,
            "entityId": CLIENT_ID,
            "userId": USER_ID,
            "engagementId": ENGAGEMENT_ID,
            "taskId": TASK_IDS[2],
            "description": "Reviewing AR and AP",
        },
    ),
    response(
        "Started; the user's running timer was stopped",
        {
            "timer": {**TIMER, "elapsedSeconds": 0},
            "stoppedEntry": ENTRY,
            "stoppedTimer": STOPPED_TIMER,
        },
        status=201,
    ),
]
TIMERS_STOP = [
    *FIRM_BODY,
    response("Stopped, with the entry it made", {"timer": STOPPED_TIMER, "entry": ENTRY}),
]
