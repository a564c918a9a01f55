"""The local web page: the form (generated from the form model), its checklist, a list upload.

Stores nothing and logs no patient data: a form is screened in memory and rendered; an uploaded
list is screened in memory and sent back as a CSV download.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from cart_screen import batch as lists
from cart_screen.evaluate import decide, result_of
from cart_screen.form import FIELDS, Kind
from cart_screen.render import BATCH_COLUMNS, ruleset_text
from cart_screen.result import NOTICE
from cart_screen.ruleset import Ruleset
from cart_screen.wizard import GROUPS

HERE = Path(__file__).parent
UPLOAD_LIMIT = 20 * 1024 * 1024
"""Largest referral list the page takes (bytes); the command line has no limit."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # patient data must not stay in a browser or proxy cache
}

_INPUT = {
    Kind.TEXT: "text",
    Kind.DATE: "date",
    Kind.INTEGER: "number",
    Kind.NUMBER: "decimal",
    Kind.CHOICE: "select",
    Kind.YES_NO: "select",
    Kind.DIAGNOSIS: "diagnosis",
}


def form_groups(ruleset: Ruleset) -> list[dict[str, Any]]:
    """The form's fields, grouped as the wizard asks them, each with how to show its input."""
    components = ", ".join(c.en for c in ruleset.meta.components)
    groups: dict[str, dict[str, Any]] = {
        key: {"title": title, "fields": []} for key, title in GROUPS.items()
    }
    for name, spec in FIELDS.items():
        hint = spec.hint
        if name == "hypersensitivity_to_components" and components:
            hint += f" Components: {components}."
        choices = ("yes", "no") if spec.kind is Kind.YES_NO else spec.choices
        groups[spec.group]["fields"].append(
            {
                "name": name,
                "label": spec.label + (f" ({spec.unit.strip()})" if spec.unit else ""),
                "hint": hint,
                "allowed": spec.allowed(),
                "input": _INPUT[spec.kind],
                "choices": choices,
                "required": name == "patient_id",
            }
        )
    return list(groups.values())


def create_app(ruleset: Ruleset, as_of: dt.date | None = None) -> FastAPI:
    """The web app for one ruleset; `as_of` fixes the screening date when a form has none."""
    app = FastAPI(title="cart-screen", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(notice=NOTICE, ruleset=ruleset, groups=form_groups(ruleset))
    diagnoses = [
        f"{term.abbreviation} — {term.name.en}" for term in ruleset.vocabulary.codes.values()
    ]

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    @app.get("/", response_class=HTMLResponse)
    async def blank_form(request: Request) -> HTMLResponse:
        return page(request, "form.html", values={}, errors={}, diagnoses=diagnoses)

    @app.post("/check", response_class=HTMLResponse)
    async def check(request: Request) -> HTMLResponse:
        submitted = await request.form()
        values = {
            name: value.strip()
            for name, value in submitted.items()
            if name in FIELDS and isinstance(value, str) and value.strip()
        }
        # A date picker's blank and the diagnosis list's "ABBR — name" both read as typed text.
        if "diagnosis" in values:
            values["diagnosis"] = values["diagnosis"].split(" — ")[0]
        read = ruleset.reader.read(values, as_of)
        errors = {e.field: e.message for e in read.errors}
        if "patient_id" not in values:
            errors["patient_id"] = "a patient id is needed to screen"
        if errors:
            return page(
                request, "form.html", 422, values=values, errors=errors, diagnoses=diagnoses
            )
        result = result_of(ruleset, decide(ruleset, read), read.facts)
        order = {"flagged": 0, "needs_info": 1, "clear": 2}
        items = sorted(result.items, key=lambda item: order[item.status])
        return page(request, "result.html", result=result, items=items)

    @app.get("/batch", response_class=HTMLResponse)
    async def batch_form(request: Request) -> HTMLResponse:
        return page(request, "batch.html", error=None, limit_mb=UPLOAD_LIMIT // 2**20)

    @app.post("/batch", response_model=None)
    async def batch_upload(request: Request) -> Response:
        async with request.form() as submitted:  # closes the uploaded file's spool
            upload, encoding = submitted.get("file"), str(submitted.get("encoding") or "utf-8")
            if not isinstance(upload, UploadFile):
                return _batch_error(request, page, "choose a CSV file to upload", 400)
            data = await upload.read(UPLOAD_LIMIT + 1)
        if len(data) > UPLOAD_LIMIT:
            message = f"the list is larger than {UPLOAD_LIMIT // 2**20} MB; use `cart-screen batch`"
            return _batch_error(request, page, message, 413)
        try:
            body = screen_list(data, encoding, ruleset, as_of or dt.date.today())
        except lists.BatchInputError as exc:
            return _batch_error(request, page, str(exc), 422)
        return Response(
            "\ufeff" + body,  # a BOM, so that Excel and WPS show Chinese correctly
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="cart-screen-results.csv"'},
        )

    @app.get("/rules", response_class=PlainTextResponse)
    async def rules() -> str:
        return ruleset_text(ruleset)

    @app.get("/style.css")
    async def style() -> Response:
        return Response(
            (HERE / "templates" / "style.css").read_text("utf-8"), media_type="text/css"
        )

    return app


def _batch_error(
    request: Request, page: Callable[..., HTMLResponse], message: str, status: int
) -> HTMLResponse:
    return page(request, "batch.html", status, error=message, limit_mb=UPLOAD_LIMIT // 2**20)


def screen_list(data: bytes, encoding: str, ruleset: Ruleset, as_of: dt.date) -> str:
    """Screen an uploaded list in memory; the results CSV as text (same rows as `batch`)."""
    stream = io.TextIOWrapper(
        io.BytesIO(data),
        encoding=lists.text_encoding(encoding),
        errors="surrogateescape",
        newline="",
    )
    header, records = lists.read_records(stream, encoding)
    columns = lists.map_columns(header, {})
    out = io.StringIO()
    csv.writer(out).writerow(BATCH_COLUMNS)
    for chunk in lists.screen_chunks(lists.Job(ruleset, columns, as_of, details=False), records):
        out.write(chunk.rows)
    return out.getvalue()
