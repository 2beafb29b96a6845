"""One module per page group; each handler parses the form, calls one service, renders a template.

Every module here has a `router`; one that has a page in the menu also has `MENU = (label,
route name, roles)`. The app includes them all (no list to keep in step), the menu shows each
visitor the pages their role may open, in the order of MENU_ORDER.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

MENU_ORDER = ("dashboard", "imports", "review", "letters", "phone", "batches", "returns", "finance", "audit", "users")


def modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]


def menu() -> list[tuple[str, str, tuple[str, ...]]]:
    """(label, route name, roles) of every page in the menu, in MENU_ORDER."""
    entries = [module.MENU for module in modules() if hasattr(module, "MENU")]
    return sorted(entries, key=lambda entry: MENU_ORDER.index(entry[1]) if entry[1] in MENU_ORDER else len(MENU_ORDER))
