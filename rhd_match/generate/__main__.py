"""``python -m rhd_match.generate``: write a generated scenario to a folder."""

import sys

from .synthetic import main

sys.exit(main())
