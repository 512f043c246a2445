"""``python -m leadparser PATH [--region CC]``: print the normalized lead of one file."""

from __future__ import annotations

import argparse
import sys

from leadparser.cli import main_parse_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadparser", description=__doc__)
    parser.add_argument("path", help="an .eml message, or an ADF XML / JSON / text document")
    parser.add_argument("--region", default="NL", help="ISO country for national phone numbers")
    args = parser.parse_args(argv)
    code, out, err = main_parse_file(args.path, args.region.upper())
    if out:
        sys.stdout.write(out)
    if err:
        print(err, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
