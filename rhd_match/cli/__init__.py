"""The ``rhd-match`` command line (``docs/tutorial.md``)."""
