"""The screening log on the web page (`serve --log`): a worklist, a patient's page, a stored
screening, and recording what the page screens.

- GET /log — the worklist: one line per patient (latest outcome, open items, decision, last
  screened), filtered by outcome; GET /log/patient?id=… — the history, the diff from the
  previous screening and a decision form; POST /log/decision records the decision;
  GET /screenings/{id} — a stored screening's checklist.
- Every state-changing form (a decision, and /check and /batch while a log is kept) carries a CSRF token: an
  HMAC, under a secret made when the server starts, of what the form is for and when it was
  issued. A post without a valid token gets a 403 page: another site cannot make a browser
  record a screening or a decision.
- A list uploaded to the page (POST /batch) is recorded as `batch --log` records one
  (list_recorder: log.lists.ListRecorder), with the source `web`, its file name and rows.
- Who acted is the OS user running the server; with `--trust-proxy-user HEADER` (a deployment
  behind the hospital's single sign-on proxy, which sets the header and strips it from what
  clients send) it is that header's value, and a request without it is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, cast

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cart_screen.form import FIELDS
from cart_screen.i18n import Language, M, Said, web_wording
from cart_screen.log import views
from cart_screen.log.lists import ListRecorder
from cart_screen.log.screening_log import (
    Decision,
    RefusedText,
    ScreeningLog,
    Source,
    UnknownPatient,
)
from cart_screen.log.store import LogError
from cart_screen.render import printable
from cart_screen.result import ScreeningResult
from cart_screen.ruleset import Ruleset
from cart_screen.site import Site

TOKEN_SECONDS = 12 * 3600
"""How long a form's CSRF token stays valid (a page left open over a shift still works)."""

Page = Callable[..., HTMLResponse]
"""web.create_app's page(request, template, lang, status, **context)."""


class NoUser(Exception):
    """The sign-on proxy's header is missing: no one to attribute the action to."""


@dataclass(frozen=True)
class Recorded:
    """What became of recording a screening the page showed: its id, or why it is not stored."""

    id: int | None = None
    problem: str | None = None


class WebLog:
    """The screening log as the web page uses it; see the module docstring."""

    def __init__(self, log: ScreeningLog, user: str, user_header: str | None = None):
        self.log, self.user, self.user_header = log, user, user_header
        self._secret = secrets.token_bytes(32)

    # ------------------------------------------------------------ who, and tokens

    def who(self, request: Request) -> str:
        """Who is acting: the proxy's header, when trusted; else the OS user of the server."""
        if self.user_header is None:
            return self.user
        value = request.headers.get(self.user_header, "").strip()
        if not value:
            raise NoUser
        return value

    def token(self, purpose: str, issued: int | None = None) -> str:
        """A CSRF token for a form that does `purpose`."""
        stamp = int(time.time()) if issued is None else issued
        mac = hmac.new(self._secret, f"{purpose}|{stamp}".encode(), hashlib.sha256).hexdigest()
        return f"{stamp}.{mac}"

    def valid(self, token: object, purpose: str) -> bool:
        if not isinstance(token, str) or "." not in token:
            return False
        stamp, _, _ = token.partition(".")
        if not stamp.isdigit() or time.time() - int(stamp) > TOKEN_SECONDS:
            return False
        return hmac.compare_digest(token, self.token(purpose, int(stamp)))

    # ------------------------------------------------------------ recording /check

    async def record(
        self, request: Request, result: ScreeningResult, form: Mapping[str, Any], lang: Language
    ) -> Recorded:
        """Store a screening the page has made (call it from POST /check); never raises."""
        try:
            source = Source("web", self.who(request))
            number = await anyio.to_thread.run_sync(lambda: self.log.record(result, form, source))
        except NoUser:
            return Recorded(problem=_not_recorded(lang, self._no_user(lang)))
        except LogError as exc:
            return Recorded(problem=_not_recorded(lang, exc.said(lang)))
        return Recorded(id=number)

    def _no_user(self, lang: Language) -> str:
        return M.WEB_LOG_NO_USER(lang, header=self.user_header)

    # ------------------------------------------------------------ recording /batch

    def list_recorder(
        self, request: Request, filename: str, ruleset: Ruleset, site: Site, lang: Language
    ) -> ListRecorder | Said:
        """A recorder for a list uploaded to the page (POST /batch), as `batch --log` records
        one: the source is `web` with the upload's file name (no folder) and each record's row,
        who is who acts on the page; or why the list cannot be recorded (no user)."""
        try:
            who = self.who(request)
        except NoUser:
            return M.WEB_LOG_NO_USER.both(header=self.user_header)
        name = printable(PurePath(filename.replace("\\", "/")).name) or None
        return ListRecorder(self.log, Source("web", who, file=name), ruleset, site, lang)

    # ------------------------------------------------------------ pages

    def router(
        self, ruleset: Ruleset, page: Page, chosen: Callable[[object], Language]
    ) -> APIRouter:
        """The log's pages, rendered with the web app's own page function and language choice."""
        router = APIRouter()
        rule_fields = {r.id: (*r.required, *r.optional) for r in ruleset.rules}
        titles = {r.id: r.title for r in ruleset.rules}

        def get(path: str) -> Callable[[Any], Any]:
            return router.api_route(path, methods=["GET", "HEAD"], response_class=HTMLResponse)

        def problem(request: Request, lang: Language, status: int, text: str) -> HTMLResponse:
            return page(request, "log_problem.html", lang, status, problem=text)

        async def in_thread(call: Callable[[], Any]) -> Any:
            return await anyio.to_thread.run_sync(call)

        @get("/log")
        async def worklist(request: Request) -> HTMLResponse:
            lang = chosen(request.query_params.get("lang"))
            outcome = request.query_params.get("outcome") or None
            if outcome not in (None, *views.OUTCOME_WORDS):  # never shown as if "all outcomes"
                allowed = M.LIST_SEPARATOR(lang).join(views.OUTCOME_WORDS)
                said = M.WEB_LOG_BAD_OUTCOME(lang, outcome=str(outcome)[:80], allowed=allowed)
                return problem(request, lang, 400, said)
            try:
                who = self.who(request)
                lines = await in_thread(lambda: self.log.worklist(outcome))  # type: ignore[arg-type]
            except NoUser:
                return problem(request, lang, 403, self._no_user(lang))
            except LogError as exc:
                return problem(request, lang, 503, exc.said(lang))
            return page(
                request, "log_list.html", lang, lines=lines, outcome=outcome, who=who,
                outcomes=views.OUTCOME_WORDS, decisions=views.DECISION_WORDS, when=views.when,
            )  # fmt: skip

        @get("/log/patient")
        async def patient(request: Request) -> HTMLResponse:
            lang = chosen(request.query_params.get("lang"))
            patient_id = request.query_params.get("id", "")
            try:
                who = self.who(request)
                screenings, decisions = await in_thread(lambda: self.log.history(patient_id))
            except NoUser:
                return problem(request, lang, 403, self._no_user(lang))
            except UnknownPatient as exc:
                return problem(request, lang, 404, exc.said(lang))
            except LogError as exc:
                return problem(request, lang, 503, exc.said(lang))
            found = (
                views.diff(patient_id, screenings[-2], screenings[-1])
                if len(screenings) > 1
                else None
            )
            note = _nested(views.diff_lines(found, rule_fields, lang)) if found else []
            return page(
                request, "log_patient.html", lang, patient_id=patient_id, who=who,
                screenings=screenings, decisions=decisions, diff=found, diff_note=note,
                token=self.token(f"decide|{patient_id}"), outcomes=views.OUTCOME_WORDS,
                statuses=views.STATUS_WORDS, choices=views.DECISION_WORDS, when=views.when,
                source_text=views.source_text,
            )  # fmt: skip

        @router.post("/log/decision", response_model=None)
        async def decide(request: Request) -> Response:
            submitted = await request.form()
            lang = chosen(submitted.get("lang"))
            patient_id = str(submitted.get("patient_id") or "")
            if not self.valid(submitted.get("csrf"), f"decide|{patient_id}"):
                return problem(request, lang, 403, M.WEB_LOG_FORBIDDEN(lang))
            decision = str(submitted.get("decision") or "")
            physician = str(submitted.get("physician") or "").strip()
            on = str(submitted.get("screening_id") or "")
            if decision not in views.DECISION_WORDS or not on.isdigit():
                return problem(request, lang, 400, M.WEB_LOG_FORBIDDEN(lang))
            if not physician:
                return problem(request, lang, 422, M.LOG_PHYSICIAN_NEEDED(lang))
            note = str(submitted.get("note") or "").strip() or None
            try:
                who = self.who(request)
                await in_thread(
                    lambda: self.log.decide(
                        patient_id, cast(Decision, decision), physician, who, note, int(on)
                    )
                )
            except NoUser:
                return problem(request, lang, 403, self._no_user(lang))
            except UnknownPatient as exc:
                try:  # the screening named may be another patient's, or none at all
                    named = await in_thread(lambda: self.log.screening(int(on)))
                except LogError as failed:
                    return problem(request, lang, 503, failed.said(lang))
                said = (
                    M.WEB_LOG_NO_SCREENING(lang, id=on)
                    if named is None
                    else M.WEB_LOG_NOT_THIS_PATIENT(lang, id=on, patient=patient_id)
                    if named.patient_id != patient_id
                    else exc.said(lang)
                )
                return problem(request, lang, 404, said)
            except RefusedText as exc:
                return problem(request, lang, 422, exc.said(lang))
            except LogError as exc:
                return problem(request, lang, 503, exc.said(lang))
            query = urllib.parse.urlencode({"id": patient_id, "lang": lang})
            return RedirectResponse(f"/log/patient?{query}", status_code=303)

        @get("/screenings/{screening_id}")
        async def screening(request: Request, screening_id: str) -> HTMLResponse:
            lang = chosen(request.query_params.get("lang"))
            if not (screening_id.isascii() and screening_id.isdigit() and len(screening_id) < 16):
                return problem(request, lang, 404, M.WEB_LOG_NO_SCREENING(lang, id=screening_id))
            number = int(screening_id)
            try:
                self.who(request)
                stored = await in_thread(lambda: self.log.screening(number))
            except NoUser:
                return problem(request, lang, 403, self._no_user(lang))
            except LogError as exc:
                return problem(request, lang, 503, exc.said(lang))
            if stored is None:
                return problem(request, lang, 404, M.WEB_LOG_NO_SCREENING(lang, id=screening_id))
            result = dict(stored.result, patient_id=stored.patient_id)
            complete = stored.result.get("stored") != "statuses"
            items = [
                item
                if complete
                else {
                    **item,
                    "title": titles[item["rule_id"]](lang),
                    "severity": None,
                    "reason": "",
                    "source": "",
                }
                for item in stored.result.get("items", [])
                if complete or item["rule_id"] in titles
            ]
            order = {"flagged": 0, "needs_info": 1, "clear": 2}
            items.sort(key=lambda item: order[item["status"]])
            # The answers as read travel with the checklist, to edit them into a new screening.
            carry = {"screening_date": result.get("screening_date", ""), **stored.form}
            carry = {k: v for k, v in carry.items() if isinstance(v, str) and k in FIELDS}
            unread = [
                (e.get("field", ""), e.get("value", ""), e.get("message", ""))
                for e in result.get("errors", [])
                if isinstance(e, dict)
            ]
            return page(
                request, "result.html", lang, result=result, items=items, stored=stored,
                complete=complete, carry=carry, unread=unread,
            )  # fmt: skip

        return router


def _nested(lines: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The diff's lines (views.diff_lines) as the page lists them: each with the lines indented
    under it ("other values changed:", then its values) as a list of its own."""
    nested: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("  ") and nested:
            nested[-1][1].append(line.strip())
        else:
            nested.append((line, []))
    return nested


def _not_recorded(lang: Language, reason: str) -> str:
    """The page's NOT RECORDED line (above the checklist: "this screening", not "above")."""
    return web_wording(M.LOG_NOT_RECORDED(lang, reason=reason), lang)
