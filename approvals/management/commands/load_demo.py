from django.core.management.base import BaseCommand
from django.utils import translation

from approvals.demo import data
from approvals.demo.loader import load_demo
from approvals.models.roles import Role
from workflows.demo import load_demo_routes


class Command(BaseCommand):
    help = "Load the demo organisation, catalogue, campaigns and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet_logins=False, **options):
        counts = load_demo()
        counts["routes"] = load_demo_routes()
        self.stdout.write(
            "Demo data: " + ", ".join(f"{name} {count}" for name, count in counts.items())
        )
        if quiet_logins:
            return
        translation.activate("vi")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every user: {data.DEMO_PASSWORD})")
        for username, full_name, _gender, _unit, _position, roles in data.DEMO_USERS:
            labels = "; ".join(
                f"{Role(role).label} ({code})" if code else str(Role(role).label)
                for role, _kind, code in roles
            )
            self.stdout.write(f"  {username:<15} {full_name:<20} {labels}")
