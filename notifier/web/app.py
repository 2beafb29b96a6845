"""The web app: `create_app()` for uvicorn (`notifier serve`) and for the tests' client.

Pages render Jinja2 templates from notifier/web/templates/ and call the same service
functions as the command line; errors of the services become a page with the right status
(bad input 400, not found 404, wrong state or conflict 409) and the same words as on the CLI.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from notifier.errors import NotifierError
from notifier.settings import Settings, get_settings
from notifier.web.pages import STATUS, TEMPLATES, page
from notifier.web import routes
from notifier.web.security import LoginRequired

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="notifier", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings or get_settings()
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in routes.modules():
        app.include_router(module.router)
    entries = routes.menu()
    TEMPLATES.env.globals["menu"] = lambda: entries

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(request.url_for("login_form").path, status_code=303)

    @app.exception_handler(NotifierError)
    async def refused(request: Request, exc: NotifierError):
        return page(request, "error.html", STATUS.get(exc.code, 500), title="Not done", message=str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        titles = {403: "Not allowed", 404: "Not found"}
        return page(request, "error.html", exc.status_code, title=titles.get(exc.status_code, "Error"), message=str(exc.detail))

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data: never cached
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
        return response

    return app
