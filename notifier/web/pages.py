"""Rendering a page: the templates of notifier/web/templates/ with the visitor in every context."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATUS = {"invalid_input": 400, "not_found": 404, "wrong_state": 409, "conflict": 409}  # a refusal's code -> the page's HTTP status

TEMPLATES.env.globals["menu"] = list  # the app sets the real menu (create_app): pages know no routes


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("visitor", None)
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
