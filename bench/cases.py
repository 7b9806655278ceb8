"""The benchmark's cases: every endpoint of the API contract, admin changelists and a mix.

A case builds, just before each timed run, a list of distinct requests from the database's
current state (``build(ctx, count)``): reads spread over customers and agents, writes with
valid, distinct bodies, each sent with the token of a user allowed to make it (an agent for
its own customers and actions, a supervisor to manage agents and assignments, an admin to
link users). Tokens and sessions are made exactly as the CRM auth service makes them
(``workflow.auth.tokens`` + a Redis session); the admin pages use the session cookie of a
supervisor who signed in through the admin's login form.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import contact_cases
from bench.dataset import PASSWORD
from bench.load import Request

API = "/api/v1/collection"
ACTION_RESULTS = ["PROMISE_TO_PAY", "NO_CONTACT", "RESCHEDULED", "PARTIAL_PAYMENT"]


@dataclass(frozen=True)
class User:
    n: int
    agent_id: str
    user_id: str
    username: str
    role: str
    authorization: str  # "Bearer <jwt>"


@dataclass
class Context:
    """What the builders need: the data set's sizes and the users with live sessions."""

    customers: int
    loans: int
    users: list[User]  # users[i] is linked to agent number i + 1
    admin_cookie: str
    today: dt.date
    random: random.Random = field(default_factory=lambda: random.Random(11))
    runs: itertools.count[int] = field(default_factory=itertools.count)

    def cif(self, n: int) -> str:
        return f"C{n:09d}"

    def loan(self, n: int) -> str:
        return f"L{n:09d}"

    def call_agent_of(self, n: int) -> User:
        """The call agent of customer ``n`` as generated (agent ``1 + n % A``)."""
        return self.users[n % len(self.users)]

    def customer_numbers(self, count: int, *, pool: tuple[int, int] | None = None) -> list[int]:
        """``count`` customer numbers, spread at random (within ``n % pool[0] == pool[1]``)."""
        numbers = range(1, self.customers + 1)
        if pool is not None:
            numbers = range(pool[1] or pool[0], self.customers + 1, pool[0])
        if count >= len(numbers):
            chosen = list(numbers)
            self.random.shuffle(chosen)
            return chosen
        return self.random.sample(numbers, count)

    @property
    def agents(self) -> list[User]:
        return [user for user in self.users if user.role == "AGENT"]

    @property
    def supervisors(self) -> list[User]:
        return [user for user in self.users if user.role == "SUPERVISOR"]

    @property
    def admin(self) -> User:
        return next(user for user in self.users if user.role == "ADMIN")


Builder = Callable[[Context, int], list[Request]]


@dataclass(frozen=True)
class Case:
    name: str
    label: str  # as the report shows it
    build: Builder
    write: bool = False
    quick: bool = True  # part of --quick
    # Sent to a second server with CONTACT_POLICY_ENABLED=false (bench/contact_cases.py).
    contact_policy: bool = True


def _auth(user: User) -> tuple[str, str]:
    return "Authorization", user.authorization


def _get(path: str, user: User) -> Request:
    return Request("GET", path, *_auth(user))


# --- builders -------------------------------------------------------------------------------


def healthz(ctx: Context, count: int) -> list[Request]:
    return [Request("GET", "/healthz")]


def agents_list(ctx: Context, count: int) -> list[Request]:
    pages = max(1, min(20, len(ctx.users) // 10))
    return [
        _get(f"{API}/agents?pageSize=10&page={1 + i % pages}", ctx.random.choice(ctx.users))
        for i in range(min(count, 500))
    ]


def _delete_earlier_agents(where: str, params: list[str]) -> None:
    """Remove the agents earlier runs' writes made (``where``, fixed SQL of this module): on a
    kept data set they pile up (tens of thousands), slowing every agents read and the agents
    writes' checks. If anything refers to one of them, all are kept."""
    from django.db import IntegrityError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM workflow_service.agents WHERE {where}", params)
    except IntegrityError:
        pass


def agents_create(ctx: Context, count: int) -> list[Request]:
    """New agents (no user), after removing those earlier runs created: on a kept data set they
    would pile up (thousands a run) and slow every agents read and the e-mail check."""
    _delete_earlier_agents("email LIKE %s AND user_id IS NULL", ["new.%@bench.test"])
    nonce = uuid.uuid4().hex[:6]
    supervisors = ctx.supervisors
    return [
        Request(
            "POST",
            f"{API}/agents",
            *_auth(supervisors[i % len(supervisors)]),
            {
                "employeeId": f"N{nonce}{i:07d}",
                "name": f"New Agent {nonce} {i}",
                "email": f"new.{nonce}.{i}@bench.test",
                "phone": "0912345678",
                "type": "AGENT",
                "team": f"Team {i % 20}",
            },
        )
        for i in range(count)
    ]


def agents_update(ctx: Context, count: int) -> list[Request]:
    supervisors = ctx.supervisors
    targets = ctx.agents
    ctx.random.shuffle(targets)
    return [
        Request(
            "PUT",
            f"{API}/agents/{targets[i % len(targets)].agent_id}",
            *_auth(supervisors[i % len(supervisors)]),
            {"phone": f"08{ctx.random.randrange(10**8):08d}"},
        )
        for i in range(count)
    ]


def agents_performance(ctx: Context, count: int) -> list[Request]:
    """Half a whole business month (from the report view), half the last 30 days (live).

    Each run uses periods of its own, so its first request per agent misses the cache.
    """
    run = next(ctx.runs)
    year, month_number = ctx.today.year, ctx.today.month - 1 - run % 12
    if month_number < 1:
        year, month_number = year - 1, month_number + 12
    first = dt.date(year, month_number, 1)
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    month = f"startDate={first}&endDate={last}"
    end = ctx.today - dt.timedelta(days=run % 300)
    live = f"startDate={end - dt.timedelta(days=29)}&endDate={end}"
    requests = []
    for i in range(min(count, 4000)):
        user = ctx.random.choice(ctx.users)
        query = month if i % 2 == 0 else live
        requests.append(_get(f"{API}/agents/{user.agent_id}/performance?{query}", user))
    return requests


def agents_by_user(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/agents/by-user/{user.user_id}", user)
        for user in ctx.random.choices(ctx.users, k=min(count, 2000))
    ]


def users_agent(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/users/{user.user_id}/agent", user)
        for user in ctx.random.choices(ctx.users, k=min(count, 2000))
    ]


def agents_link_user(ctx: Context, count: int) -> list[Request]:
    """Links fresh unlinked agents to fresh unlinked users (made here with SQL)."""
    from django.db import connection

    nonce = uuid.uuid4().hex[:6]
    # Those earlier runs made, linked or not.
    _delete_earlier_agents(
        "employee_id LIKE %s AND email LIKE %s", ["K%", "link.agent.%@bench.test"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM auth_service.users u WHERE username LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM workflow_service.agents a WHERE a.user_id = u.id)",
            ["link.%"],
        )
        cursor.execute(
            """
            WITH u AS (
                INSERT INTO auth_service.users
                    (username, email, password_hash, first_name, last_name, role)
                SELECT 'link.' || %s || '.' || n, 'link.' || %s || '.' || n || '@bench.test',
                       'x', 'Link', 'User', 'AGENT'
                FROM generate_series(1, %s) n
                RETURNING id, username
            ), a AS (
                INSERT INTO workflow_service.agents
                    (employee_id, name, email, type, team, created_by, updated_by)
                SELECT 'K' || %s || lpad(n::text, 7, '0'), 'Link Agent ' || n,
                       'link.agent.' || %s || '.' || n || '@bench.test', 'AGENT', 'Team 1',
                       'bench', 'bench'
                FROM generate_series(1, %s) n
                RETURNING id, employee_id
            )
            SELECT a.id, u.id
            FROM (SELECT id, row_number() OVER (ORDER BY employee_id) r FROM a) a
            JOIN (SELECT id, row_number() OVER (ORDER BY username) r FROM u) u USING (r)
            """,
            [nonce, nonce, count, nonce, nonce, count],
        )
        pairs = cursor.fetchall()
    return [
        Request(
            "POST",
            f"{API}/agents/link-user",
            *_auth(ctx.admin),
            {"agentId": str(agent_id), "userId": str(user_id)},
        )
        for agent_id, user_id in pairs
    ]


def actions_create(ctx: Context, count: int) -> list[Request]:
    """Agents record calls on their own customers' loans (sent as themselves), within the
    contact policy's hours (``contact_cases.daytime_everywhere``) and caps."""
    contact_cases.daytime_everywhere()
    requests = []
    # Customers with room under the daily cap: a recorded call that breaches the policy costs
    # two statements more (the flag and its event), and earlier runs of the same day (or of
    # bench.profile) have called the same customers.
    for i, n in enumerate(contact_cases.quiet_customers(ctx, count)):
        agent = ctx.call_agent_of(n)
        requests.append(
            Request(
                "POST",
                f"{API}/actions",
                *_auth(agent),
                {
                    "cif": ctx.cif(n),
                    "loanAccountNumber": ctx.loan(n),
                    "type": "CALL",
                    "subtype": "REMINDER_CALL" if i % 2 else "FOLLOW_UP_CALL",
                    "actionResult": ACTION_RESULTS[i % len(ACTION_RESULTS)],
                    "notes": f"Bench call {i}",
                    "callTraceId": f"B{i % 10**9}",
                },
            )
        )
    return requests


def _reader_of(ctx: Context, n: int) -> User:
    return ctx.call_agent_of(n)


def actions_customer(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/actions/customer/{ctx.cif(n)}?pageSize=10", _reader_of(ctx, n))
        for n in ctx.customer_numbers(min(count, 5000))
    ]


def actions_loan(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/actions/loan/{ctx.loan(n)}?pageSize=10", _reader_of(ctx, n))
        for n in ctx.customer_numbers(min(count, 5000))
    ]


def actions_agent(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/actions/agent/{user.agent_id}?pageSize=10", user)
        for user in ctx.random.choices(ctx.users, k=min(count, 2000))
    ]


def actions_result(ctx: Context, count: int) -> list[Request]:
    """Agents change the result of their own recent actions (distinct actions)."""
    from django.db import connection

    by_agent = {user.agent_id: user for user in ctx.users}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, agent_id FROM workflow_service.action_records
            WHERE action_date >= %s AND created_by = 'bench'
            ORDER BY action_date DESC LIMIT %s
            """,
            [ctx.today - dt.timedelta(days=90), count],
        )
        rows = cursor.fetchall()
    ctx.random.shuffle(rows)
    return [
        Request(
            "PUT",
            f"{API}/actions/{action_id}/result",
            *_auth(by_agent[str(agent_id)]),
            {"actionResult": ACTION_RESULTS[i % len(ACTION_RESULTS)], "notes": f"Updated {i}"},
        )
        for i, (action_id, agent_id) in enumerate(rows)
        if str(agent_id) in by_agent
    ]


def assignments_agent(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/assignments/agent/{user.agent_id}?pageSize=10", user)
        for user in ctx.random.choices(ctx.users, k=min(count, 2000))
    ]


def _current_agents(numbers: list[int], ctx: Context) -> dict[str, tuple[str, str, str]]:
    """cif -> (current version id, call agent id, field agent id)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT cif, id, assigned_call_agent_id, assigned_field_agent_id
            FROM workflow_service.customer_agents
            WHERE is_current AND cif = ANY(%s)
            """,
            [[ctx.cif(n) for n in numbers]],
        )
        return {cif: (str(a), str(b), str(c)) for cif, a, b, c in cursor.fetchall()}


def _another_agent(ctx: Context, current: str) -> User:
    while True:
        user = ctx.random.choice(ctx.users)
        if user.agent_id != current:
            return user


def assignments_create(ctx: Context, count: int) -> list[Request]:
    """Supervisors give customers (cif n % 4 == 1) another call agent."""
    numbers = ctx.customer_numbers(count, pool=(4, 1))
    current = _current_agents(numbers, ctx)
    supervisors = ctx.supervisors
    requests = []
    for i, n in enumerate(numbers):
        cif = ctx.cif(n)
        if cif not in current:
            continue
        agent = _another_agent(ctx, current[cif][1])
        requests.append(
            Request(
                "POST",
                f"{API}/assignments",
                *_auth(supervisors[i % len(supervisors)]),
                {"cif": cif, "assignedCallAgentId": agent.agent_id},
            )
        )
    return requests


def assignments_update(ctx: Context, count: int) -> list[Request]:
    """Supervisors change the field agent of current versions (even cifs: each version id
    can be changed once, so this case gets the larger pool)."""
    numbers = ctx.customer_numbers(count, pool=(2, 0))
    current = _current_agents(numbers, ctx)
    supervisors = ctx.supervisors
    requests = []
    for i, (version_id, _, field_agent) in enumerate(current.values()):
        agent = _another_agent(ctx, field_agent)
        requests.append(
            Request(
                "PUT",
                f"{API}/assignments/{version_id}",
                *_auth(supervisors[i % len(supervisors)]),
                {"assignedFieldAgentId": agent.agent_id},
            )
        )
    return requests


def assignments_history(ctx: Context, count: int) -> list[Request]:
    # Supervisors read any customer's history (reassigning); an agent only its own customers'.
    supervisors = ctx.supervisors
    return [
        _get(f"{API}/assignments/history/{ctx.cif(n)}", supervisors[n % len(supervisors)])
        for n in ctx.customer_numbers(min(count, 5000))
    ]


def cases_customer(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/cases/customer/{ctx.cif(n)}?pageSize=10", _reader_of(ctx, n))
        for n in ctx.customer_numbers(min(count, 5000))
    ]


def cases_create(ctx: Context, count: int) -> list[Request]:
    statuses = ["COOPERATIVE", "UNCOOPERATIVE", "ACTIVE", "DISPUTED"]
    requests = []
    for i, n in enumerate(ctx.customer_numbers(count)):
        agent = ctx.call_agent_of(n)
        requests.append(
            Request(
                "POST",
                f"{API}/cases",
                *_auth(agent),
                {
                    "cif": ctx.cif(n),
                    "notes": f"Bench case note {i}",
                    "customerStatus": statuses[i % len(statuses)],
                    "recoveryAbilityStatus": "MEDIUM",
                },
            )
        )
    return requests


def cases_status(ctx: Context, count: int) -> list[Request]:
    return [
        _get(f"{API}/cases/status/{ctx.cif(n)}", _reader_of(ctx, n))
        for n in ctx.customer_numbers(min(count, 5000))
    ]


def _admin(path: str) -> Builder:
    def build(ctx: Context, count: int) -> list[Request]:
        return [Request("GET", path, "Cookie", ctx.admin_cookie)]

    return build


admin_actions = _admin("/admin/actions/actionrecord/")
admin_cases = _admin("/admin/cases/customercase/")
admin_agents = _admin("/admin/agents/agent/")

# The realistic mix, in percent of requests: an agent's dashboard reads, recording, result
# changes, supervisors' reassignments, performance reads and the admin pages they open.
MIX: list[tuple[int, Builder]] = [
    (10, assignments_agent),
    (10, cases_status),
    (10, actions_customer),
    (5, assignments_history),
    (5, cases_customer),
    (10, agents_list),
    (10, agents_performance),
    (15, actions_create),
    (5, actions_result),
    (5, cases_create),
    (5, assignments_create),
    (2, admin_actions),
    (2, admin_cases),
    (1, admin_agents),
]


def mix(ctx: Context, count: int) -> list[Request]:
    """``count`` requests in the proportions of ``MIX``, interleaved at random."""
    requests: list[Request] = []
    for weight, build in MIX:
        wanted = max(1, count * weight // 100)
        made = build(ctx, wanted)
        requests.extend(itertools.islice(itertools.cycle(made), wanted))
    ctx.random.shuffle(requests)
    return requests


CASES: list[Case] = [
    Case("healthz", "GET /healthz (no database)", healthz),
    Case("agents_list", "GET /agents?pageSize=10", agents_list),
    Case("agents_create", "POST /agents", agents_create, write=True),
    Case("agents_update", "PUT /agents/{id}", agents_update, write=True, quick=False),
    Case("agents_performance", "GET /agents/{id}/performance", agents_performance),
    Case("agents_by_user", "GET /agents/by-user/{userId}", agents_by_user, quick=False),
    Case("users_agent", "GET /users/{userId}/agent", users_agent, quick=False),
    Case("agents_link_user", "POST /agents/link-user", agents_link_user, write=True),
    Case("actions_create", "POST /actions", actions_create, write=True),
    Case(
        "actions_create_policy_off",
        "POST /actions (contact policy off)",
        actions_create,
        write=True,
        contact_policy=False,
    ),
    Case(
        "contact_attempts_create",
        "POST /contact-attempts (reserve)",
        contact_cases.contact_attempts_create,
        write=True,
    ),
    Case(
        "actions_create_reserved",
        "POST /actions (consumes a reservation)",
        contact_cases.actions_create_reserved,
        write=True,
    ),
    Case("actions_customer", "GET /actions/customer/{cif}", actions_customer),
    Case("actions_loan", "GET /actions/loan/{n}", actions_loan, quick=False),
    Case("actions_agent", "GET /actions/agent/{id}", actions_agent, quick=False),
    Case("actions_result", "PUT /actions/{id}/result", actions_result, write=True),
    Case("assignments_agent", "GET /assignments/agent/{id}", assignments_agent),
    Case("assignments_create", "POST /assignments", assignments_create, write=True),
    Case("assignments_update", "PUT /assignments/{id}", assignments_update, write=True),
    Case("assignments_history", "GET /assignments/history/{cif}", assignments_history),
    Case("cases_customer", "GET /cases/customer/{cif}", cases_customer, quick=False),
    Case("cases_create", "POST /cases", cases_create, write=True),
    Case("cases_status", "GET /cases/status/{cif}", cases_status),
    Case("admin_actions", "admin: action records", admin_actions, quick=False),
    Case("admin_cases", "admin: customer cases", admin_cases, quick=False),
    Case("admin_agents", "admin: agents", admin_agents, quick=False),
    Case("mix", "mix (dashboard, writes, admin)", mix, write=True),
]


def context(*, echo: Callable[[str], None] = print) -> Context:
    """Sessions and tokens for every generated user, and a supervisor's admin cookie."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from workflow.auth import sessions, tokens
    from workflow.business_time import business_today

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, u.id, u.username, u.role
            FROM workflow_service.agents a JOIN auth_service.users u ON u.id = a.user_id
            WHERE a.employee_id ~ '^E[0-9]{6}$' ORDER BY a.employee_id
            """
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM bank_sync_service.customers")
        customers = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute("SELECT count(*) FROM bank_sync_service.loans")
        loans = cursor.fetchone()[0]  # type: ignore[index]
    users = []
    for n, (agent_id, user_id, username, role) in enumerate(rows, start=1):
        session_id = sessions.create_session(
            {"userId": str(user_id), "username": username, "roles": [role], "permissions": []},
            ttl_seconds=settings.JWT_REFRESH_EXPIRES_SECONDS,
        )
        token, _ = tokens.mint_access(
            user_id=str(user_id), username=username, roles=[role], session_id=session_id
        )
        users.append(User(n, str(agent_id), str(user_id), username, role, f"Bearer {token}"))
    supervisor = next(user for user in users if user.role == "SUPERVISOR")
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": supervisor.username, "password": PASSWORD, "next": "/admin/"},
    )
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if response.status_code != 302 or cookie is None:
        raise RuntimeError(f"the supervisor's admin sign-in failed ({response.status_code})")
    echo(f"{len(users)} users with sessions and tokens; supervisor signed in to the admin")
    return Context(
        customers=customers,
        loans=loans,
        users=users,
        admin_cookie=f"{settings.SESSION_COOKIE_NAME}={cookie.value}",
        today=business_today(),
    )
