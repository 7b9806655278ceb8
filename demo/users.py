"""Demo login users created by ``manage.py seed_demo`` (development only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    team: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Admin#2026", "ADMIN", "An", "Nguyen", "Operations"),
    DemoUser("supervisor", "Supervisor#2026", "SUPERVISOR", "Binh", "Tran", "Hanoi Call"),
    DemoUser("agent.call", "Agent#2026", "AGENT", "Chi", "Le", "Hanoi Call"),
    DemoUser("agent.field", "Agent#2026", "AGENT", "Dung", "Pham", "Hanoi Field"),
)
