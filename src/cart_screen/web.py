"""The local web page: the form (generated from the form model), its checklist, a list upload
and its results page, the rules, the clinical basis, and error pages in the page's language.

Stores nothing and logs no patient data: a form is screened in memory and rendered; an uploaded
list is screened in memory and its results held in memory for a while under a random token, for
its results page and download (see web_lists.py). `?lang=zh` / `?lang=en` switches the page's
language; the forms carry it along, and switching keeps what was typed (the form's own values
travel with the switch; the checklist is screened again from its answers, in the other language).

The pages work without script; `form.js` (served from the package: the Content Security Policy
allows script from this server only) adds Enter-to-next-field and focus on the error summary.

One visitor cannot stall the page for the others: a list is screened in a worker thread, never
in the event loop; at most `list_jobs` lists at a time (more: a 503 page saying to try again),
each stopped after `list_seconds`; a request body must arrive within `body_seconds` and hold at
most BODY_LIMIT bytes. Only loopback names and the names the server is told are accepted as the
Host (a DNS-rebinding guard). Every page answers HEAD as it answers GET.
"""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cart_screen.basis import clinical_basis_markdown
from cart_screen.csv_list import text_encoding
from cart_screen.evaluate import advisory_ids, decide, result_of
from cart_screen.form import FIELDS
from cart_screen.i18n import LANGUAGES, Language, M, Msg, Said, web_wording
from cart_screen.list_encoding import AUTO
from cart_screen.list_records import BatchInputError
from cart_screen.log.doubt import in_doubt_said
from cart_screen.reading import UNREADABLE
from cart_screen.render import (
    OUTCOME_WORDS,
    field_spellings,
    printable,
    rule_overviews,
    some_names,
    source_lines,
    template_csv,
    vocabulary_notes,
    vocabulary_terms,
)
from cart_screen.ruleset import Ruleset
from cart_screen.site import NO_SITE, Site
from cart_screen.values.kinds import Kind
from cart_screen.web_lists import (  # screen_list: named here, so that a test can hold it
    DOWNLOADS,
    STORE_SECONDS,
    ListTimeout,
    Logged,
    ResultStore,
    ScreenedList,
    content_disposition,
    download_name,
    screen_list,
)
from cart_screen.wizard import GROUPS, canonical_text

if TYPE_CHECKING:
    from cart_screen.web_log import WebLog

HERE = Path(__file__).parent
LOG = logging.getLogger("cart_screen.web")
UPLOAD_LIMIT = 20 * 1024 * 1024
"""Largest referral list the page takes (bytes); the command line has no limit."""
BODY_LIMIT = UPLOAD_LIMIT + 1024 * 1024
"""Largest request body (bytes): the largest list and the rest of its form."""
LIST_JOBS = 2
"""Lists screened at a time; one more is told to try again (503)."""
LIST_SECONDS = 120.0
"""Longest a list may take to screen (the largest takes a few seconds)."""
BODY_SECONDS = 60.0
"""Longest a request body may take to arrive (uvicorn itself waits for ever)."""
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; "
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


def form_groups(ruleset: Ruleset, language: Language) -> list[dict[str, Any]]:
    """The form's fields, grouped as the wizard asks them, each with how to show its input."""
    lang = language
    components = M.LIST_SEPARATOR(lang).join(c(lang) for c in ruleset.meta.components)
    groups: dict[str, dict[str, Any]] = {
        key: {"title": title(lang), "fields": []} for key, title in GROUPS.items()
    }
    for name, spec in FIELDS.items():
        hint = spec.hint(lang)
        if name == "hypersensitivity_to_components" and components:
            hint += M.COMPONENTS_HINT(lang, components=components)
        if spec.kind is Kind.YES_NO:
            choices = [("yes", M.YES(lang)), ("no", M.NO(lang))]
        else:
            choices = [(c, spec.show(c, language=lang)) for c in spec.choices]
        unit = spec.unit(lang).strip()
        groups[spec.group]["fields"].append(
            {
                "name": name,
                "label": spec.label(lang) + (f" ({unit})" if unit else ""),
                "hint": hint,
                # a lab value may be written with its unit and ULN: no numeric keypad
                "input": "text" if ruleset.book.field(name).analyte else _INPUT[spec.kind],
                "choices": choices,
                "required": name == "patient_id",
            }
        )
    return list(groups.values())


def allowed_hosts(host: str, names: Sequence[str] = ()) -> list[str]:
    """The Host header values a server on `host` accepts: loopback names, `host`, `names`."""
    hosts = [*LOOPBACK_NAMES, _bracketed(host), *names]
    return list(dict.fromkeys(hosts))


def _bracketed(host: str) -> str:
    """A host as a URL names it: an IPv6 address in brackets."""
    try:
        bracketed = ipaddress.ip_address(host).version == 6
    except ValueError:
        bracketed = False
    return f"[{host}]" if bracketed else host


class ListenError(Exception):
    """The server cannot listen where it was asked to (the port in use, an unknown address)."""

    def __init__(self, said: Said):
        super().__init__(said.en)
        self.said = said


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port`, for the server to listen on (uvicorn.Server.run's
    `sockets`): bound before the page's address is said, so that a port another program holds
    is one line (ListenError), never an address that reaches that program; and the server
    listens on this very socket, so nothing can take the port in between."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = printable(getattr(exc, "strerror", None) or str(exc))
        if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
            raise ListenError(M.SERVE_PORT_IN_USE.both(port=port, reason=reason)) from None
        where = printable(host)
        raise ListenError(
            M.SERVE_CANNOT_LISTEN.both(host=where, port=port, reason=reason)
        ) from None
    return sock


def page_address(host: str, port: int) -> str:
    """The page's address, to open: `http://HOST:PORT/` (an IPv6 address in brackets)."""
    return f"http://{_bracketed(host)}:{port}/"


class BodyTimeout(Exception):
    """A request body did not arrive in time."""


class BodyTooLarge(Exception):
    """A request body held more than BODY_LIMIT bytes."""


class BodyLimits:
    """ASGI middleware: a request body must arrive within `seconds` of the request and hold at
    most `limit` bytes; otherwise reading it raises BodyTimeout or BodyTooLarge.

    uvicorn waits for a slow body for ever, so a client sending a byte a minute would hold a
    connection (and an upload's spool) open without end.
    """

    def __init__(self, app: ASGIApp, seconds: float, limit: int):
        self.app, self.seconds, self.limit = app, seconds, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + self.seconds
        received, complete = 0, False

        async def limited() -> Message:
            nonlocal received, complete
            if complete:  # after the body: only the disconnect is waited for
                return await receive()
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout from None
            received += len(message.get("body", b""))
            if received > self.limit:
                raise BodyTooLarge
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, limited, send)


ERROR_TITLES: dict[int, Msg] = {
    400: M.WEB_BAD_REQUEST_TITLE,
    404: M.WEB_NOT_FOUND_TITLE,
    405: M.WEB_NOT_ALLOWED_TITLE,
    408: M.WEB_TIMEOUT_TITLE,
    413: M.WEB_TOO_LARGE_TITLE,
    500: M.WEB_INTERNAL_TITLE,
    503: M.WEB_BUSY_TITLE,
}
"""Each error page's heading, by status."""


def partly(said: str, logged: Logged | None, lang: Language) -> str:
    """A list's failure as the page says it, with how many of its screenings the log holds
    (it cannot take them back: screening the list again records them twice)."""
    if logged is None or not (logged.recorded or logged.in_doubt or logged.unconfirmed):
        return said
    said += f"{M.SEPARATOR(lang)}{M.LOG_LIST_PARTLY(lang, count=logged.recorded)}"
    return said + in_doubt_said(logged.in_doubt, logged.unconfirmed, lang)


class ResultsGone(Exception):
    """A list's results are no longer held (or never were) under the token asked for."""


_STATUS_ORDER = {"flagged": 0, "needs_info": 1, "clear": 2}


def posted_values(submitted: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields as posted: trimmed, blanks left out; a diagnosis picked from the list
    ("ABBR — name") as its abbreviation, the term to read."""
    values = {
        name: value.strip()
        for name, value in submitted.items()
        if name in FIELDS and isinstance(value, str) and value.strip()
    }
    if "diagnosis" in values:
        values["diagnosis"] = values["diagnosis"].split(" — ")[0]
    return values


def create_app(
    ruleset: Ruleset,
    as_of: dt.date | None = None,
    language: Language = "en",
    site: Site = NO_SITE,
    *,
    hosts: Sequence[str] = (),
    list_jobs: int = LIST_JOBS,
    list_seconds: float = LIST_SECONDS,
    body_seconds: float = BODY_SECONDS,
    log: WebLog | None = None,
    column_map: Mapping[str, str] | None = None,
) -> FastAPI:
    """The web app for one ruleset.

    `as_of` fixes the screening date when a form has none; `language` is the page's language
    until the visitor switches; `site` the site settings (defaults, lab ULNs: see site.py).
    `hosts` are Host names accepted besides the loopback ones (see allowed_hosts); the limits
    are described in the module docstring. With a screening `log` (web_log.py), every form
    and every uploaded list screened is recorded and the log's pages are served.
    """
    app = FastAPI(title="cart-screen", docs_url=None, redoc_url=None, openapi_url=None)
    # Added first, so inside security_headers: what they refuse gets the headers too.
    app.add_middleware(BodyLimits, seconds=body_seconds, limit=BODY_LIMIT)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=[*LOOPBACK_NAMES, *hosts])
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(M=M, ruleset=ruleset, site=site, OUTCOME_WORDS=OUTCOME_WORDS)
    # Every value shown on a page passes through here: what came from a form or a list loses
    # its control characters (escape sequences, bidi overrides) before Jinja escapes the HTML.
    templates.env.finalize = lambda value: (
        printable(value, lines=True) if type(value) is str else value
    )
    list_slots = threading.BoundedSemaphore(list_jobs)
    store = ResultStore()
    groups = {lang: form_groups(ruleset, lang) for lang in LANGUAGES}
    labels = {
        lang: {field["name"]: field["label"] for group in groups[lang] for field in group["fields"]}
        for lang in LANGUAGES
    }
    titles = {lang: {rule.id: rule.title(lang) for rule in ruleset.rules} for lang in LANGUAGES}
    diagnoses = {
        lang: [f"{t.abbreviation} — {t.name(lang)}" for t in ruleset.vocabulary.codes.values()]
        for lang in LANGUAGES
    }

    def chosen(value: object) -> Language:
        return "zh" if value == "zh" else "en" if value == "en" else language

    def page(
        request: Request,
        name: str,
        lang: Language,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        context.update(
            lang=lang,
            other_lang="en" if lang == "zh" else "zh",
            notice=M.NOTICE(lang),
            groups=groups[lang],
            diagnoses=diagnoses[lang],
            log_on=log is not None,
            log_token=log.token("check") if log is not None else None,
        )
        return templates.TemplateResponse(
            request, name, context, status_code=status, headers=headers
        )

    def error_page(
        request: Request,
        lang: Language,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        title: str | None = None,
    ) -> HTMLResponse:
        title = title or ERROR_TITLES.get(status, M.WEB_BAD_REQUEST_TITLE)(lang)
        return page(
            request, "error.html", lang, status, headers, title=title, message=message, code=status
        )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        lang = chosen(request.query_params.get("lang"))
        close = {"Connection": "close"}
        try:
            response = await call_next(request)
        except BodyTimeout:
            text = M.WEB_BODY_TIMEOUT(lang, seconds=f"{body_seconds:g}")
            response = error_page(request, lang, 408, text, close)
        except BodyTooLarge:
            text = M.WEB_TOO_LARGE(lang, limit=UPLOAD_LIMIT // 2**20)
            response = error_page(request, lang, 413, text, close)
        except Exception as exc:
            # The server would log the traceback, and its text may hold what was typed:
            # only the kind of failure is logged and shown.
            path = printable(request.url.path)
            LOG.error("internal error (%s) on %s", type(exc).__name__, path)
            text = M.WEB_INTERNAL_ERROR(lang, kind=type(exc).__name__)
            response = error_page(request, lang, 500, text)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        lang = chosen(request.query_params.get("lang"))
        said = {404: M.WEB_NOT_FOUND, 405: M.WEB_NOT_ALLOWED}.get(exc.status_code)
        message = said(lang) if said else printable(str(exc.detail))
        return error_page(request, lang, exc.status_code, message, exc.headers)

    # GET pages answer HEAD too (FastAPI's get() does not; starlette sends the headers only).
    def get(path: str, **options: Any) -> Callable[[Any], Any]:
        return app.api_route(path, methods=["GET", "HEAD"], **options)

    def form_page(
        request: Request,
        lang: Language,
        values: Mapping[str, str],
        errors: Mapping[str, str],
        status: int = 200,
    ) -> HTMLResponse:
        fixes = [(name, labels[lang][name], errors[name]) for name in FIELDS if name in errors]
        return page(request, "form.html", lang, status, values=values, errors=errors, fixes=fixes)

    @get("/", response_class=HTMLResponse)
    async def blank_form(request: Request) -> HTMLResponse:
        lang = chosen(request.query_params.get("lang"))
        today = (as_of or dt.date.today()).isoformat()
        return form_page(request, lang, {"screening_date": today}, {})

    @app.post("/check", response_model=None)
    async def check(request: Request) -> Response:
        submitted = await request.form()
        lang = chosen(submitted.get("lang"))
        if log is not None and not log.valid(submitted.get("csrf"), "check"):
            return page(request, "log_problem.html", lang, 403, problem=M.WEB_LOG_FORBIDDEN(lang))
        values = posted_values(submitted)
        switch = submitted.get("lang_switch")
        if switch in LANGUAGES:  # the form's language switch: the same answers, not screened
            return form_page(request, chosen(switch), values, {})
        if submitted.get("edit"):  # "edit these answers" on the checklist
            return form_page(request, lang, values, {})
        read = ruleset.reader_for(site.lab_uln).read(values, as_of, site.defaults)
        errors = {e.field: web_wording(e.message(lang), lang) for e in read.errors}
        names = [name for name, _ in submitted.multi_items() if name in FIELDS]
        for name in {name for name in names if names.count(name) > 1}:
            errors[name] = M.GIVEN_TWICE(lang)  # a crafted post; never take one of two on trust
        if "patient_id" not in values:
            errors["patient_id"] = M.WEB_ID_NEEDED(lang)
        if errors:
            # a list (select) shows a value posted in another spelling ('心功能III级') as read
            for name, value in read.facts.items():
                listed = (
                    FIELDS[name].kind in (Kind.CHOICE, Kind.YES_NO) if name in FIELDS else False
                )
                if name in values and listed and value is not UNREADABLE:
                    values[name] = canonical_text(FIELDS[name], value)
            return form_page(request, lang, values, errors, 422)
        verdict = decide(ruleset, read, site.advisory)
        result = result_of(ruleset, verdict, read.facts, lang, read.defaulted, site)
        recorded = await log.record(request, result, values, lang) if log is not None else None
        if recorded is not None and recorded.id is not None:  # the result has an address
            where = f"/screenings/{recorded.id}?lang={lang}"
            return RedirectResponse(where, status_code=303)
        items = sorted(result.items, key=lambda item: _STATUS_ORDER[item.status])
        # the answers travel with the checklist: to edit them, or to see it in the other language
        carry = {"screening_date": result.screening_date.isoformat(), **values}
        unread = [(e.field, e.value, web_wording(e.message, lang)) for e in result.errors]
        return page(
            request,
            "result.html",
            lang,
            result=result,
            items=items,
            carry=carry,
            unread=unread,
            recorded=recorded,
        )

    def list_page(request: Request, lang: Language, error: str | None, status: int) -> HTMLResponse:
        limit = UPLOAD_LIMIT // 2**20
        return page(request, "batch.html", lang, status, error=error, limit_mb=limit)

    @get("/batch", response_class=HTMLResponse)
    async def batch_form(request: Request) -> HTMLResponse:
        return list_page(request, chosen(request.query_params.get("lang")), None, 200)

    @app.post("/batch", response_model=None)
    async def batch_upload(request: Request) -> Response:
        async with request.form() as submitted:  # closes the uploaded file's spool
            lang = chosen(submitted.get("lang"))
            upload, encoding = submitted.get("file"), str(submitted.get("encoding") or AUTO)
            sheet = str(submitted.get("sheet") or "").strip() or None
            if not isinstance(upload, UploadFile):
                return list_page(request, lang, M.WEB_CHOOSE_FILE(lang), 400)
            data = await upload.read(UPLOAD_LIMIT + 1)
            name, filename = download_name(upload.filename), upload.filename or ""
            if not upload.filename and not data:  # the browser's post when no file was chosen
                return list_page(request, lang, M.WEB_CHOOSE_FILE(lang), 400)
            if log is not None and not log.valid(submitted.get("csrf"), "check"):
                problem = M.WEB_LOG_FORBIDDEN(lang)
                return page(request, "log_problem.html", lang, 403, problem=problem)
        if len(data) > UPLOAD_LIMIT:
            message = M.WEB_TOO_LARGE(lang, limit=UPLOAD_LIMIT // 2**20)
            return list_page(request, lang, message, 413)
        if encoding.strip().lower() != AUTO:
            try:
                text_encoding(encoding)
            except BatchInputError as exc:  # not one the page offers: a crafted post
                return list_page(request, lang, exc.said(lang), 400)
        if not list_slots.acquire(blocking=False):
            response = list_page(request, lang, M.WEB_BUSY(lang, count=list_jobs), 503)
            response.headers["Retry-After"] = "30"
            return response
        # With a log, the list's screenings are recorded as they are screened (web_lists.Logged)
        recorder, logged = None, Logged() if log is not None else None
        if log is not None and logged is not None:
            made = log.list_recorder(request, filename, ruleset, site, lang)
            if isinstance(made, Said):  # no one to record them as: screened, not recorded
                logged.problem = made
            else:
                recorder = made
        try:
            day, deadline = as_of or dt.date.today(), time.monotonic() + list_seconds
            # In a worker thread: the event loop goes on serving every other visitor.
            screened: ScreenedList = await anyio.to_thread.run_sync(
                lambda: screen_list(
                    data,
                    encoding,
                    ruleset,
                    day,
                    lang,
                    site,
                    deadline=deadline,
                    name=name,
                    filename=filename,
                    sheet=sheet,
                    column_map=column_map,
                    recorder=recorder,
                    logged=logged,
                )
            )
        except BatchInputError as exc:
            said = web_wording(exc.said(lang), lang)
            return list_page(request, lang, partly(said, logged, lang), 422)
        except UnicodeError:  # a text encoding that is not the list's (UTF-16 asked, UTF-8 sent)
            said = M.NOT_IN_ENCODING(lang, encoding=printable(encoding))
            return list_page(request, lang, partly(said, logged, lang), 400)
        except ListTimeout:
            message = M.WEB_LIST_TIMEOUT(lang, seconds=f"{list_seconds:g}")
            return list_page(request, lang, partly(message, logged, lang), 503)
        finally:
            list_slots.release()
        # The results have an address of their own: refreshing it screens nothing again.
        token = store.put(screened)
        return RedirectResponse(f"/lists/{token}?lang={lang}", status_code=303)

    def held(token: str) -> ScreenedList:
        screened = store.get(token)
        if screened is None:
            raise ResultsGone
        return screened

    @app.exception_handler(ResultsGone)
    async def gone(request: Request, _: ResultsGone) -> HTMLResponse:
        lang = chosen(request.query_params.get("lang"))
        message = M.WEB_GONE(lang, minutes=STORE_SECONDS // 60)
        return error_page(request, lang, 404, message, title=M.WEB_GONE_TITLE(lang))

    @get("/lists/{token}", response_class=HTMLResponse)
    async def list_results(request: Request, token: str) -> HTMLResponse:
        lang = chosen(request.query_params.get("lang"))
        screened = held(token)
        summary = screened.summary
        rules = [
            (rule.id, titles[lang][rule.id], summary.flagged[rule.id], summary.needs_info[rule.id])
            for rule in ruleset.rules
        ]
        advisory = [
            (rule.id, rule.title(lang), summary.flagged[rule.id], summary.needs_info[rule.id])
            for rule in ruleset.advisory
            if rule.id in summary.advisory_ids
        ]
        return page(
            request,
            "batch_results.html",
            lang,
            screened=screened,
            summary=summary,
            rules=rules,
            advisory=advisory,
            titles=titles[lang],
            token=token,
            downloads=DOWNLOADS,
            read_lines=source_lines(summary.source, lang) if summary.source else [],
            some_names=some_names,
            minutes=STORE_SECONDS // 60,
            web_wording=web_wording,
        )

    @get("/lists/{token}/results.{kind}")
    async def list_download(request: Request, token: str, kind: str) -> Response:
        screened = held(token)
        if kind not in DOWNLOADS:
            raise HTTPException(404)
        chosen_format = DOWNLOADS[kind]
        disposition = content_disposition(screened.filename(chosen_format.extension))
        return StreamingResponse(
            screened.download(kind),
            media_type=chosen_format.media_type,
            headers={"Content-Disposition": disposition},
        )

    @get("/template.csv")
    async def template() -> Response:
        return Response(
            "\ufeff" + template_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition("referral-list-template.csv")},
        )

    overviews: dict[Language, dict[str, Any]] = {
        lang: {
            "rules": rule_overviews(ruleset, lang),
            "advisory": rule_overviews(ruleset, lang, advisory=True)
            if advisory_ids(ruleset, site)
            else [],
            "fields": field_spellings(ruleset, lang),
            "terms": vocabulary_terms(ruleset, lang),
            "notes": vocabulary_notes(ruleset, lang),
        }
        for lang in LANGUAGES
    }

    @get("/rules", response_class=HTMLResponse)
    async def rules(request: Request) -> HTMLResponse:
        lang = chosen(request.query_params.get("lang"))
        components = M.LIST_SEPARATOR(lang).join(c(lang) for c in ruleset.meta.components)
        return page(request, "rules.html", lang, components=components, **overviews[lang])

    # Generated from the rule files, it is the same for every visitor: rendered once.
    basis_html = (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        .render(clinical_basis_markdown(ruleset))
    )

    @get("/clinical-basis", response_class=HTMLResponse)
    async def clinical_basis(request: Request) -> HTMLResponse:
        lang = chosen(request.query_params.get("lang"))
        return page(request, "basis.html", lang, body=basis_html)

    if log is not None:
        app.include_router(log.router(ruleset, page, chosen))

    def packaged(name: str, media_type: str) -> Callable[[], Awaitable[Response]]:
        async def serve_file() -> Response:
            return Response((HERE / "templates" / name).read_text("utf-8"), media_type=media_type)

        return serve_file

    @get("/favicon.ico")
    async def favicon() -> Response:  # browsers ask for it on every first visit: no icon, no 404
        return Response(status_code=204)

    get("/style.css")(packaged("style.css", "text/css"))
    get("/form.js")(packaged("form.js", "text/javascript"))
    return app
