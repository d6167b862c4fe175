"""*ma cantine* files: the annual EGalim declaration of a plan, the purchase files and order
sheets exported for a plan, and reading purchase files back (``docs/macantine.md``)."""
