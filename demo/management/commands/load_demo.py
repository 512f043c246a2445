from django.core.management.base import BaseCommand

from demo.builder import DEMO_PASSWORD, PEOPLE, build_demo


class Command(BaseCommand):
    help = "Load the demo dealer group (two dealerships, their people, sources, stock and leads)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--leads", type=int, default=300)
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        result = build_demo(leads=options["leads"], days=options["days"], seed=options["seed"])
        if result["leads"]:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {result['leads']} leads."))
        else:
            self.stdout.write("Demo data already present; nothing added.")
        logins = ", ".join(f"{p.username} ({p.role})" for p in PEOPLE)
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}): {logins}")
