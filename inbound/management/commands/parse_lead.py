"""`manage.py parse_lead PATH [--region CC]`: the parser's window for people (shared/README.md)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from leadparser.cli import main_parse_file


class Command(BaseCommand):
    help = "Parse one lead file (ADF XML, JSON, or an .eml message) and print the normalized lead."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--region",
            default=None,
            help="ISO country for reading national phone numbers (default: the setting).",
        )

    def handle(self, *args, path: str, region: str | None, **options) -> None:
        code, out, err = main_parse_file(
            path, (region or settings.DEALERLMS_DEFAULT_REGION).upper()
        )
        if out:
            self.stdout.write(out, ending="")
        if err:
            sys.stderr.write(err.rstrip("\n") + "\n")
        if code:
            sys.exit(code)
