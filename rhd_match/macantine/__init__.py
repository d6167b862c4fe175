"""*ma cantine* files: the annual EGalim declaration of a plan, the purchase files and order
sheets exported for a plan, and reading purchase files back (``docs/macantine.md``).

* :mod:`.declaration` — ``declaration`` (a plan's yearly figures), ``compare``;
* :mod:`.export` — ``purchase_file``, ``export_plan``;
* :mod:`.ids` — ``read_platform_ids``, ``read_sirets`` (the platform's canteen ids);
* :mod:`.reading` — ``read_purchases``, ``check_purchases``, ``purchase_figures``.
"""

from .declaration import compare, declaration
from .export import export_plan, purchase_file
from .ids import read_platform_ids, read_sirets
from .reading import PurchaseWarning, check_purchases, purchase_figures, read_purchases

__all__ = [
    "PurchaseWarning",
    "check_purchases",
    "compare",
    "declaration",
    "export_plan",
    "purchase_figures",
    "purchase_file",
    "read_platform_ids",
    "read_purchases",
    "read_sirets",
]
