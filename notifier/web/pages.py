"""Rendering a page: the templates of notifier/web/templates/ with the visitor in every context."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

TEMPLATES.env.globals["menu"] = list  # the app sets the real menu (create_app): pages know no routes


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("visitor", None)
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
