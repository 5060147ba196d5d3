"""The ``motcua`` console command: the management commands a user needs.

``motcua demo`` · ``motcua import-units`` · ``motcua import-procedures FILE`` ·
``motcua due START 3d`` · anything else is passed to Django's manage.py
(``motcua migrate``, ``motcua createsuperuser`` …).
"""

from __future__ import annotations

import os
import sys

# Friendly, hyphenated names for our own management commands.
ALIASES = {
    "import-units": "import_units",
    "import-procedures": "import_procedures",
    "generate-dossiers": "generate_dossiers",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        args = args or ["help"]
    else:
        args[0] = ALIASES.get(args[0], args[0])
    execute_from_command_line(["motcua", *args])


if __name__ == "__main__":
    main()
