"""`manage.py verify_audit`: check the audit trail's hash chain; exit status 1 if broken."""

from django.core.management.base import BaseCommand, CommandError

from approvals.services.audit import audit_verify


class Command(BaseCommand):
    help = "Check that no audit event was changed, deleted or inserted out of the chain."

    def handle(self, *args, **options):
        check = audit_verify()
        if check.intact:
            self.stdout.write(f"Audit trail intact: {check.events} events, every link checked.")
            return
        for problem in check.problems:
            self.stderr.write(problem)
        raise CommandError(
            f"Audit trail broken: {len(check.problems)} problem(s) in {check.events} events."
        )
