"""Command line: parse arguments -> library -> render -> exit code. No clinical logic here.

Exit status (SPEC §5): 0 when screening ran, whatever the outcomes; 2 for usage errors, unreadable
input or invalid rules, with a one-line message and never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import os
import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, cast

# pydantic looks for plugins in every installed distribution's metadata when it builds the first
# model, which costs more than the whole screen; this command line uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from cart_screen.i18n import Language, M, Said, language_from_environment
from cart_screen.ruleset import Ruleset, RulesetError, default_rules_path, load_ruleset

if TYPE_CHECKING:
    from cart_screen.batch import ChunkOutput
    from cart_screen.files import FileState, SpecialFileError
    from cart_screen.list_encoding import ListEncoding
    from cart_screen.list_records import Columns, Job
    from cart_screen.list_summary import ListSource
    from cart_screen.log.lists import ListRecorder
    from cart_screen.log.screening_log import ScreeningLog
    from cart_screen.log.store import LogError
    from cart_screen.parallel import Helper
    from cart_screen.result import ScreeningResult
    from cart_screen.site import Site
    from cart_screen.terminal import Talk
    from cart_screen.wizard import Wizard
    from cart_screen.workbook import SheetReading
    from cart_screen.workbook_out import ResultsWorkbook

app = typer.Typer(
    help="Pre-screen HICARA referrals against the label. The treating physician decides. "
    "/ 按说明书预筛查 HICARA 转诊患者；是否使用由主治医师决定。",
    no_args_is_help=True,
    add_completion=False,
    # Pretty tracebacks print local variables, which would put patient data on the screen.
    pretty_exceptions_enable=False,
)
log_app = typer.Typer(
    help="The screening log: list, show, diff, decide, export. / 筛查记录：列表、查看、比较、结论、导出。",
    no_args_is_help=True,
)
rules_app = typer.Typer(
    help="Check and show rule files. / 校验与显示规则文件。", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")
app.add_typer(log_app, name="log")


class Lang(enum.StrEnum):
    """The languages a user can ask for."""

    en = "en"
    zh = "zh"


RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="Ruleset folder (or its ruleset.yaml); default: the HICARA rules."
    ),
]
AsOfOption = Annotated[
    dt.datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Screening date when a form has none."),
]
SiteIcuOption = Annotated[
    str | None,
    typer.Option(
        "--icu-available",
        envvar="CART_SCREEN_ICU_AVAILABLE",
        metavar="yes|no",
        help="This site's intensive-care capability, for forms that leave it blank "
        "(also from CART_SCREEN_ICU_AVAILABLE).",
    ),
]
SiteOption = Annotated[
    Path | None,
    typer.Option(
        "--site",
        envvar="CART_SCREEN_SITE",
        metavar="SITE.yaml",
        help="This site's settings: icu_available default and lab_uln (the lab's upper limits "
        "of normal), also from CART_SCREEN_SITE.",
    ),
]


def _log_given(value: str | None) -> str | None:
    """The --log target; an empty one is refused — `--log "$LOGDB"` with the variable unset, or
    CART_SCREEN_LOG set to nothing, would otherwise record nothing without a word."""
    from cart_screen.i18n import language_from_environment

    empty_variable = os.environ.get("CART_SCREEN_LOG", "x").strip() == ""
    if (value is not None and not value.strip()) or (value is None and empty_variable):
        fail(M.LOG_TARGET_EMPTY.both(), language_from_environment())
    return value


LogOption = Annotated[
    str | None,
    typer.Option(
        "--log",
        envvar="CART_SCREEN_LOG",
        callback=_log_given,
        metavar="DB",
        help="Record every screening in this screening log: a SQLite file path or a "
        "postgresql+psycopg:// URL (also from CART_SCREEN_LOG).",
    ),
]
LangOption = Annotated[
    Lang | None,
    typer.Option("--lang", help="Language of the texts: en or zh (default: from the locale)."),
]


def _language(lang: Lang | None) -> Language:
    return "zh" if (lang.value if lang else language_from_environment()) == "zh" else "en"


def fail(message: Said | str, language: Language = "en") -> NoReturn:
    """Say what is wrong on one line and stop with exit status 2.

    The message may quote the input (a path, a header, a value): its control characters are
    shown escaped (render.printable).
    """
    from cart_screen.render import printable

    text = message if isinstance(message, str) else message(language)
    typer.echo(printable(M.ERROR(language, message=text), lines=True), err=True)
    raise typer.Exit(2)


def _ruleset(path: Path | None, language: Language) -> Ruleset:
    from cart_screen.screening import resolve_ruleset

    try:
        return resolve_ruleset(path)
    except RulesetError as exc:
        # Rule-file problems are for whoever edits the rules: file:line:col and English.
        fail(M.RULES_REFUSED(language, problems=str(exc)), language)


def _setting(
    lang: Lang | None,
    rules: Path | None,
    icu_available: str | None = None,
    site_file: Path | None = None,
) -> tuple[Language, Ruleset, Site]:
    """The language, the ruleset and the site settings every screening command starts from."""
    language = _language(lang)
    ruleset = _ruleset(rules, language)
    return language, ruleset, _site(ruleset, site_file, icu_available, language)


def _site(
    ruleset: Ruleset, site_file: Path | None, icu_available: str | None, language: Language
) -> Site:
    """Site settings from --site and --icu-available; a bad one stops with exit status 2."""
    from cart_screen.site import NO_SITE, load_site, site_with
    from cart_screen.values.text import FormValueError

    try:
        site = load_site(site_file, ruleset.book) if site_file else NO_SITE
        return site_with(site, icu_available, ruleset.book)
    except RulesetError as exc:
        # Located as a rule file's problems are (file:line:col), in English for its editor.
        fail(M.SITE_REFUSED(language, problems=str(exc)), language)
    except FormValueError as exc:
        fail(exc.said, language)


def _form_file(path: Path, language: Language) -> Mapping[str, Any]:
    from cart_screen.reading import FormFileError, load_form_file

    try:
        return load_form_file(path)
    except FormFileError as exc:
        fail(exc.said, language)


def _refuse_special(language: Language, *paths: Path | None) -> None:
    """Refuse an output that is a link, device, FIFO or socket, before anything is done."""
    from cart_screen.files import SpecialFileError, refuse_special

    for path in paths:
        if path is not None:
            try:
                refuse_special(path)
            except SpecialFileError as exc:
                fail(_special_said(exc, language), language)


def _special_said(exc: SpecialFileError, language: Language) -> str:
    from cart_screen.files import DATABASE
    from cart_screen.i18n import FILE_KINDS

    if exc.kind == DATABASE:
        return M.IS_A_DATABASE(language, path=exc.path)
    return M.NOT_A_REGULAR_FILE(language, path=exc.path, kind=FILE_KINDS[exc.kind](language))


def _not_the_log(log: str | None, language: Language, *paths: Path | None) -> None:
    """Refuse a file the command would write (or a list it would read) that is the screening
    log, or one of SQLite's files beside it — before the log is opened, and so before it is
    created: an output renamed onto the log would destroy every screening it holds."""
    if not log or "://" in log:
        return
    where = Path(log).expanduser().resolve()
    beside = {where, *(where.with_name(where.name + end) for end in ("-wal", "-shm", "-journal"))}
    for path in paths:
        if path is not None and path.expanduser().resolve() in beside:
            fail(M.IS_THE_LOG(language, path=path), language)


@contextlib.contextmanager
def _written(path: Path, language: Language, newline: str | None = None) -> Iterator[TextIO]:
    """A file written whole (files.atomic_write); a path refused or a failed write is one line
    and exit status 2."""
    from cart_screen.files import SpecialFileError, atomic_write, cannot_write

    try:
        with atomic_write(path, newline=newline) as out:
            yield out
    except SpecialFileError as exc:
        fail(_special_said(exc, language), language)
    except OSError as exc:
        fail(cannot_write(exc)(language), language)


def _who() -> str:
    """Who is screening, for the log: the OS user running the command."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def _open_log(target: str, language: Language, *, existing: bool = False) -> ScreeningLog:
    """The screening log at `target`; one line and exit status 2 when it cannot be used.
    `existing`: for reading it, a SQLite file must be there already."""
    from cart_screen.log.screening_log import ScreeningLog
    from cart_screen.log.store import LogError

    try:
        return ScreeningLog.open(target, existing=existing)
    except LogError as exc:
        fail(exc.said, language)


def _record(
    target: str, result: ScreeningResult, form: Mapping[str, Any], kind: str, language: Language
) -> None:
    """Store a screening already shown; a log that cannot take it is one line and exit 2
    (the result stays on the screen: never a silent non-record)."""
    from cart_screen.log.screening_log import ScreeningLog, Source
    from cart_screen.log.store import LogError
    from cart_screen.render import printable

    try:
        with ScreeningLog.open(target) as log:
            number = log.record(result, form, Source(kind, _who()))  # type: ignore[arg-type]
    except LogError as exc:
        fail(M.LOG_NOT_RECORDED(language, reason=exc.said(language)), language)
    where = printable(log.where)
    typer.echo(M.LOG_RECORDED(language, id=number, where=where), err=True)


def _day(as_of: dt.datetime | None) -> dt.date | None:
    return as_of.date() if as_of else None


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="One patient form, YAML or JSON.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON result.")] = False,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    icu_available: SiteIcuOption = None,
    site_file: SiteOption = None,
    log: LogOption = None,
    lang: LangOption = None,
) -> None:
    """Screen one patient form and print its checklist. / 筛查一份患者表单并显示清单。"""
    from cart_screen.render import checklist_text, result_json
    from cart_screen.screening import screen

    language, ruleset, site = _setting(lang, rules, icu_available, site_file)
    raw = _form_file(file, language)
    result = screen(raw, as_of=_day(as_of), rules=ruleset, language=language, site=site)
    typer.echo(result_json(result) if json_output else checklist_text(result), nl=False)
    if log:
        _record(log, result, raw, "check", language)


@app.command()
def form(
    save: Annotated[
        Path | None, typer.Option("--save", metavar="FORM.yaml", help="Save the answers.")
    ] = None,
    result_file: Annotated[
        Path | None, typer.Option("--result", metavar="RESULT.json", help="Save the JSON result.")
    ] = None,
    prefill: Annotated[
        Path | None,
        typer.Option("--from", metavar="FORM.yaml", help="Pre-fill the answers to review."),
    ] = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    icu_available: SiteIcuOption = None,
    site_file: SiteOption = None,
    log: LogOption = None,
    lang: LangOption = None,
) -> None:
    """Fill in one patient's form question by question, then see the checklist. / 逐题填写转诊表并查看清单。"""
    from cart_screen.render import checklist_text, printable, result_json
    from cart_screen.screening import screen
    from cart_screen.terminal import (
        AnswerRefused,
        fill_in,
        report_unknown_keys,
        show_wrapped,
        talk_for_this_terminal,
    )
    from cart_screen.wizard import Wizard

    language, ruleset, site = _setting(lang, rules, icu_available, site_file)
    _not_the_log(log, language, save, result_file, prefill)
    _refuse_special(language, save, result_file)  # before the answers are typed, not after
    start = _form_file(prefill, language) if prefill else {}
    wizard = Wizard.prefilled(ruleset, start, _day(as_of), language, site)
    talk = talk_for_this_terminal()
    if prefill:
        report_unknown_keys(wizard, talk, str(prefill))
    try:
        fill_in(wizard, talk)
    except KeyboardInterrupt:
        _stop_form(wizard, talk, save, language)
    except AnswerRefused as exc:
        field = f"{exc.field}: " if exc.field else ""
        fail(M.PIPED_REFUSED(language, field=field, message=exc.message), language)
    answers = wizard.form()
    if "patient_id" not in answers:
        fail(M.NO_ID_GIVEN.both(), language)
    result = screen(answers, as_of=_day(as_of), rules=ruleset, language=language, site=site)
    typer.echo("")
    show_wrapped(checklist_text(result), talk)
    _save_form(save, answers, language)
    if result_file is not None:
        with _written(result_file, language) as out:
            out.write(result_json(result) + "\n")
        typer.echo(M.SAVED(language, path=printable(str(result_file))))
    if log:
        _record(log, result, answers, "form", language)


def _form_yaml(answers: Mapping[str, Any]) -> str:
    """Answers as a form file (`check` and `form --from` read it)."""
    import yaml

    return yaml.safe_dump(dict(answers), allow_unicode=True, sort_keys=False)


def _save_form(path: Path | None, answers: Mapping[str, Any], language: Language) -> None:
    from cart_screen.render import printable

    if path is not None:
        with _written(path, language) as out:
            out.write(_form_yaml(answers))
        typer.echo(M.SAVED(language, path=printable(str(path))))


def _stop_form(wizard: Wizard, talk: Talk, save: Path | None, language: Language) -> NoReturn:
    """Ctrl-C in the wizard: offer to save the answers given so far, say so, exit status 130."""
    from cart_screen.render import printable
    from cart_screen.terminal import offer_to_save

    where = offer_to_save(wizard, talk, str(save) if save is not None else None)
    if where is None:
        typer.echo(M.STOPPED_UNSAVED(language), err=True)
    else:
        path = Path(where)
        _refuse_special(language, path)
        partial = wizard.partial_form()
        with _written(path, language) as out:
            out.write(_form_yaml(partial))
        typer.echo(M.STOPPED_SAVED(language, count=len(partial), path=printable(where)), err=True)
    raise typer.Exit(130)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free one).")
    ] = 8000,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            metavar="NAME",
            help="Another name the page may be reached by (the Host header); loopback names "
            "and --host are always accepted. Repeat for several.",
        ),
    ] = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    icu_available: SiteIcuOption = None,
    site_file: SiteOption = None,
    log: LogOption = None,
    trust_proxy_user: Annotated[
        str | None,
        typer.Option(
            "--trust-proxy-user",
            metavar="HEADER",
            help="Behind a sign-on proxy only: take who acts in the screening log from this "
            "request header (e.g. X-Remote-User); requests without it are refused. Default: "
            "the OS user running the server.",
        ),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option(
            "--columns",
            metavar="MAP.yaml",
            help="Map your lists' headers to form fields, for every list uploaded to the page.",
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Serve the form and the list upload as a local web page. / 以本地网页提供表单与名单上传。"""
    import ipaddress

    import uvicorn

    from cart_screen.list_records import BatchInputError, load_column_map
    from cart_screen.render import printable
    from cart_screen.web import (
        ListenError,
        allowed_hosts,
        create_app,
        listening_socket,
        page_address,
    )

    language, ruleset, site = _setting(lang, rules, icu_available, site_file)
    try:
        column_map = load_column_map(columns) if columns else {}
    except BatchInputError as exc:
        fail(exc.said(language), language)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    hosts = allowed_hosts(host, allow_host or [])
    web_log = None
    if log:
        from cart_screen.web_log import WebLog

        web_log = WebLog(_open_log(log, language), user=_who(), user_header=trust_proxy_user)
    app = create_app(
        ruleset, _day(as_of), language, site, hosts=hosts, log=web_log, column_map=column_map
    )
    # The address is said only once the log is open and the port is bound: a port in use is one
    # line and exit 2, never an address that reaches another program. uvicorn listens on it.
    try:
        listening = listening_socket(host, port)
    except ListenError as exc:
        fail(exc.said, language)
    if not loopback:
        typer.echo(M.SERVE_EXPOSED(language, host=printable(host)), err=True)
    address = page_address(printable(host), listening.getsockname()[1])
    typer.echo(M.SERVE_OPEN(language, address=address), err=True)
    # No access log: paths hold no patient data, but nothing about a visit needs keeping.
    # Idle connections close after 5 s and at most 64 are served at once (more get a 503):
    # connections held open cannot pile up without end (request bodies: see web.BodyLimits).
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        timeout_keep_alive=5,
        limit_concurrency=64,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    with listening:
        server.run(sockets=[listening])
    if not server.started:  # uvicorn has said why
        raise typer.Exit(2)


@app.command()
def schema(lang: LangOption = None) -> None:
    """Print the JSON Schema of the patient form. / 显示患者表单的 JSON Schema。"""
    from cart_screen.render import form_schema_json

    typer.echo(form_schema_json(_language(lang)), nl=False)


def _distinct_outputs(source: Path, language: Language, *outputs: Path | None) -> None:
    """Refuse an output that is the input or another output: nothing may be overwritten by mistake."""
    seen = {source.resolve(): M.IS_THE_INPUT}
    _refuse_special(language, *outputs)
    for path in outputs:
        if path is None:
            continue
        if path.resolve() in seen:
            fail(seen[path.resolve()](language, path=path), language)
        if path.is_dir():
            fail(M.IS_A_FOLDER(language, path=path), language)
        seen[path.resolve()] = M.IS_ANOTHER_OUTPUT


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="IN.csv", help="The referral list: CSV, or a workbook (.xlsx, .xls, .ods)."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT.csv|OUT.xlsx",
            help="One row per record: CSV, or an Excel workbook (.xlsx) with a summary sheet.",
        ),
    ],
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", metavar="DETAILS.jsonl", help="The full JSON result per record."),
    ] = None,
    summary_file: Annotated[
        Path | None,
        typer.Option("--summary", metavar="FILE.json", help="The summary figures as JSON."),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option("--columns", metavar="MAP.yaml", help="Map your headers to form fields."),
    ] = None,
    encoding: Annotated[
        str,
        typer.Option(
            help="Encoding of IN.csv, e.g. gb18030; auto: UTF-8 (BOM or not), UTF-16 with a BOM "
            "or GB18030, detected."
        ),
    ] = "auto",
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", metavar="NAME", help="The workbook's sheet to read (default: the first)."
        ),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="Write OUT.csv with a BOM so Excel/WPS show Chinese (OUT.xlsx needs none).",
        ),
    ] = False,
    show_duplicates: Annotated[
        bool,
        typer.Option(
            "--show-duplicates",
            help="Name the duplicate patient ids in the summary and --summary JSON (otherwise "
            "counted only: the summary goes to stderr, and from there to logs).",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            help="Processes to screen with; 0 = automatic (two for CSV lists over 4 MB and long "
            ".xlsx sheets, if two cores)."
        ),
    ] = 0,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    icu_available: SiteIcuOption = None,
    site_file: SiteOption = None,
    log: LogOption = None,
    lang: LangOption = None,
) -> None:
    """Screen a referral list: one row per record, in order. / 筛查转诊名单：每条记录一行，顺序不变。"""
    from cart_screen.batch import collecting_less
    from cart_screen.evaluate import advisory_ids
    from cart_screen.files import atomic_write, file_state
    from cart_screen.list_records import BatchInputError, Job, load_column_map
    from cart_screen.list_summary import Summary
    from cart_screen.render import BATCH_COLUMNS, printable, summary_text
    from cart_screen.stopping import StopSignals

    # The list as found before anything opens it: replaced, cut or grown after this, it is
    # refused (a sheet is opened now, and read again later by a worker).
    as_found = file_state(source)
    reading = _sheet_reading(source, sheet)  # a workbook's sheet is read while the rules load
    # A long .xlsx sheet's later rows are screened by a worker: started now, its Python is
    # ready by the time the sheet's header is read (parallel.Helper).
    # Until the run's own scope below takes over (and once it is done, while the worker ends and
    # the last lines are written), the stop signals are in force too: a stop early on is one
    # line, and one once every result is in is noted and not acted on (exit 0: the files are
    # in place, and a wrapper rerunning the list would record it in the log twice).
    early = StopSignals()
    try:
        with early, _sheet_helper(reading, jobs) as helper:
            language, ruleset, site = _setting(lang, rules, icu_available, site_file)
            _not_the_log(log, language, source, output, jsonl, summary_file)
            _distinct_outputs(source, language, output, jsonl, summary_file)
            workbook = _output_format(output, language) == "xlsx"
            day = _day(as_of) or dt.date.today()
            recorder = _list_recorder(log, source, ruleset, site, language) if log else None
            stopping = StopSignals()
            sep = M.SEPARATOR(language)  # between the parts of a failure's line
            failure: str | None = None
            log_failed = False
            # what stops a run with one line (_batch_failure): a list, a text encoding, a file, the log
            failures: tuple[type[Exception], ...] = (BatchInputError, UnicodeError, OSError)
            failures += _log_errors(log)
            # One scope for the stop signals, the failures and the last lines too: a second signal
            # while stopping, or one once every result is in, is noted and not acted on.
            with stopping:
                try:
                    column_map = load_column_map(columns) if columns else {}
                    listing = _read_list(
                        source,
                        encoding,
                        sheet,
                        column_map,
                        jobs,
                        language,
                        reading,
                        helper,
                        as_found,
                    )
                    # (the collector: once the rules and the list's reader are loaded)
                    with listing as listed, collecting_less():
                        rule_ids = tuple(r.id for r in ruleset.rules)
                        details_wanted = jsonl is not None
                        job = Job(
                            ruleset,
                            listed.columns,
                            day,
                            details_wanted,
                            language,
                            site,
                            log=recorder is not None,
                        )
                        if recorder is not None:
                            recorder.columns([name for _, name in listed.columns.fields])
                        with (
                            Summary(
                                rule_ids,
                                ignored_columns=listed.columns.ignored,
                                unmatched_columns=listed.columns.unmatched,
                                advisory_ids=advisory_ids(ruleset, site),
                                screened_with=(ruleset.id, ruleset.sha256, site),
                                scratch=output.parent,
                                show_duplicates=show_duplicates,
                            ) as summary,
                            _results_file(output, workbook, excel, ruleset, day, language) as out,
                            atomic_write(jsonl) if jsonl else contextlib.nullcontext() as details,
                        ):
                            out.write(",".join(BATCH_COLUMNS) + "\r\n")
                            number = 1
                            outputs = listed.screen(job)
                            with contextlib.closing(outputs):  # stopped: its workers end at once
                                for chunk in outputs:
                                    summary.add(chunk.tally)
                                    if recorder is not None:
                                        # The log cannot take back what it holds: never a screening
                                        # of a record read after the list began to change.
                                        if file_state(source) != as_found:
                                            raise BatchInputError(M.LIST_CHANGED.both())
                                        recorder.log.still_there()
                                        recorder.add(chunk.numbered(number), chunk.forms, chunk.own)
                                    if workbook:  # its rows from their pieces, never read back
                                        cast("ResultsWorkbook", out).add_pieces(
                                            chunk.numbered(number), chunk.tails, chunk.end
                                        )
                                    else:
                                        out.write(chunk.rows(number))
                                    number += len(chunk.tails)
                                    if details is not None:
                                        details.write(chunk.details)
                            if recorder is not None:
                                recorder.finish()  # every chunk handed over to the log is stored
                                recorder.log.still_there()  # and where it says it is
                            if file_state(source) != as_found:  # replaced, cut or grown while read
                                raise BatchInputError(M.LIST_CHANGED.both())
                            # after the rows: a sheet's empty rows are counted as read
                            summary.source = listed.facts()
                            summary.finish()
                            # put together now: one that cannot be leaves no file either
                            if workbook:
                                cast("ResultsWorkbook", out).finish(summary)
                            # Written before OUT.csv and the details are renamed into place: a
                            # summary that cannot be written leaves none of them (one result).
                            if summary_file:
                                with atomic_write(summary_file) as figures:
                                    json.dump(
                                        summary.as_json(), figures, indent=2, ensure_ascii=False
                                    )
                            # every result is in: a stop now waits until they are in place
                            stopping.hold()
                except failures as exc:
                    stopping.hold()  # failed: a stop now changes nothing
                    changed = file_state(source) != as_found
                    failure = _batch_failure(exc, source, encoding, language, changed=changed)
                    log_failed = not isinstance(exc, BatchInputError | UnicodeError | OSError)
                    if recorder is not None and isinstance(exc, BatchInputError):
                        # the chunks read before the list changed are stored
                        recorder.stop(keep=True)
                except KeyboardInterrupt:
                    said = M.STOPPED(language)
                    # the log keeps what was stored before the stop: say so
                    if recorder is not None:
                        recorder.stop(keep=False, wait=LOG_STOP_WAIT)
                        said += f"{sep}{M.LOG_LIST_STOPPED(language, count=recorder.recorded)}"
                        said += _in_doubt(recorder, language)
                    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
                        typer.echo(M.ERROR(language, message=said), err=True)
                    raise typer.Exit(128 + stopping.signal) from None
                finally:
                    # Done, stopped or failed: a stop from now on changes nothing (nor says
                    # so twice), while the worker ends and the last lines are written.
                    early.hold()
                    if recorder is not None:
                        # stopped or failed: what waits to be stored is not
                        recorder.stop(keep=False, wait=LOG_STOP_WAIT)
                        recorder.log.close()
                if failure is not None:
                    if recorder is not None and (recorder.recorded or log_failed):
                        # the log cannot take back what it holds: say how much, or the list is
                        # screened into it twice
                        failure += f"{sep}{M.LOG_LIST_PARTLY(language, count=recorder.recorded)}"
                    if recorder is not None:
                        failure += _in_doubt(recorder, language)
                    fail(failure, language)
                typer.echo(summary_text(summary, language), err=True, nl=False)
                if recorder is not None:
                    where = printable(recorder.log.where)
                    typer.echo(
                        M.LOG_LIST_RECORDED(language, count=recorder.recorded, where=where),
                        err=True,
                    )
    except KeyboardInterrupt:  # before the run's own scope: nothing begun to undo
        language = _language(lang)
        with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
            typer.echo(M.ERROR(language, message=M.STOPPED(language)), err=True)
        raise typer.Exit(128 + early.signal) from None


def _batch_failure(
    exc: Exception, source: Path, encoding: str, language: Language, *, changed: bool
) -> str:
    """The line a batch that failed says (before what the log kept): `changed`, the list was
    changed meanwhile, which is what broke its reading."""
    from cart_screen.files import SpecialFileError, cannot_write
    from cart_screen.list_records import BatchInputError

    if isinstance(exc, BatchInputError):
        said = M.LIST_CHANGED(language) if changed else exc.said(language)
        return f"{source}: {_misnamed_text(source, language)}{said}"
    if isinstance(exc, SpecialFileError):  # put in place while the list was screened
        return _special_said(exc, language)
    if isinstance(exc, UnicodeError):  # a text encoding that is not the list's: UTF-16 on UTF-8
        return f"{source}: {M.NOT_IN_ENCODING(language, encoding=encoding)}"
    if isinstance(exc, OSError):
        return cannot_write(exc)(language)
    said = cast("LogError", exc).said(language)  # the log failed: the run stopped there
    return f"{said}{M.SEPARATOR(language)}{M.STOPPED(language)}"


def _misnamed_text(source: Path, language: Language) -> str:
    """Before a CSV list's refusal: that a file named as a workbook holds text, read as CSV (a
    coordinator who chose an "Excel file" is otherwise told about CSV lines and encodings)."""
    from cart_screen.workbook import misnamed, workbook_kind

    try:
        if not source.is_file() or workbook_kind(source) is not None:
            return ""  # a workbook's refusal is about the workbook
    except Exception:  # a file that cannot be looked at: its refusal says why
        return ""
    suffix = misnamed(source, None)  # text: named as a workbook, or not
    return (
        ""
        if suffix is None
        else M.SUMMARY_READ_AS_CSV(language, suffix=suffix) + M.SEPARATOR(language)
    )


def _in_doubt(recorder: ListRecorder, language: Language) -> str:
    from cart_screen.log.doubt import in_doubt_said

    return in_doubt_said(recorder.in_doubt, recorder.unconfirmed, language)


LOG_STOP_WAIT = 5.0
"""Seconds a stopped or failed run waits for the log to finish storing the chunk under way
(a database server frozen would make it wait for ever): past them, that chunk is in doubt."""


def _log_errors(log: str | None) -> tuple[type[LogError], ...]:
    """LogError when a log is kept, else nothing: the log's module imports SQLAlchemy (~0.25 s
    and ~14 MB), which a batch without --log has no use for."""
    if not log:
        return ()
    from cart_screen.log.store import LogError

    return (LogError,)


def _sheet_reading(source: Path, sheet: str | None) -> SheetReading | None:
    """A workbook's sheet, starting to be read now on a thread of its own (see
    workbook.SheetReading); None for anything else. What is wrong with the file is told later,
    by _read_list, in its turn."""
    from cart_screen import workbook
    from cart_screen.list_records import BatchInputError

    try:
        kind = workbook.workbook_kind(source) if source.is_file() else None
    except (BatchInputError, OSError):
        return None
    return workbook.SheetReading(source, kind, sheet) if kind is not None else None


def _sheet_helper(
    reading: SheetReading | None, jobs: int
) -> contextlib.AbstractContextManager[Helper | None]:
    """A worker process for a long .xlsx sheet, started now (parallel.Helper), where `jobs`
    allows two processes; else nothing."""
    if reading is None or reading.kind != "xlsx" or (jobs or _cores()) < 2:
        return contextlib.nullcontext()
    from cart_screen import parallel

    try:
        if reading.path.stat().st_size > parallel.SHEET_BYTES_SHARED:
            return parallel.Helper()
    except OSError:  # no file there (told in its turn), or no process can be started here
        pass
    return contextlib.nullcontext()


def _list_recorder(
    target: str, source: Path, ruleset: Ruleset, site: Site, language: Language
) -> ListRecorder:
    """Opened before the list is screened: a log that cannot be used stops the run at once."""
    from cart_screen.log.lists import ListRecorder
    from cart_screen.log.screening_log import Source

    log = _open_log(target, language)
    return ListRecorder(log, Source("batch", _who(), file=source.name), ruleset, site, language)


def _output_format(output: Path, language: Language) -> str:
    """OUT's format, from its extension (SPEC §8): `xlsx`, or `csv` for .csv or none."""
    suffix = output.suffix.lower()
    if suffix in ("", ".csv", ".xlsx"):
        return suffix.removeprefix(".") or "csv"
    fail(M.OUTPUT_FORMAT(language, path=output, suffix=output.suffix), language)


def _results_file(
    output: Path, workbook: bool, excel: bool, ruleset: Ruleset, day: dt.date, language: Language
) -> contextlib.AbstractContextManager[TextIO | ResultsWorkbook]:
    """OUT.csv or OUT.xlsx, written whole or not at all."""
    from cart_screen.files import atomic_write

    if not workbook:
        return atomic_write(output, encoding="utf-8-sig" if excel else "utf-8", newline="")
    from cart_screen.workbook_out import written_workbook

    return written_workbook(output, ruleset, day, language)


@dataclass(frozen=True)
class _ListRead:
    """A list opened to screen: its columns, how its chunks are screened, and what the summary
    says about how it was read (asked once every row is read)."""

    columns: Columns
    screen: Callable[[Job], Generator[ChunkOutput, None, None]]
    facts: Callable[[], ListSource]


@contextlib.contextmanager
def _read_list(
    source: Path,
    encoding: str,
    sheet: str | None,
    column_map: Mapping[str, str],
    jobs: int,
    language: Language,
    reading: SheetReading | None = None,
    helper: Helper | None = None,
    state: FileState = None,
) -> Iterator[_ListRead]:
    """Open a referral list as its content says: a workbook's sheet (`reading`, if its reading
    has started already; a long .xlsx sheet shared by two processes where `jobs` allows), or
    CSV text (on `jobs` processes where the file can be cut)."""
    from cart_screen import parallel, workbook
    from cart_screen.csv_list import read_chunks
    from cart_screen.list_encoding import AUTO
    from cart_screen.list_records import BatchInputError, map_columns
    from cart_screen.list_summary import ListSource

    if not source.is_file():
        raise BatchInputError((M.NO_SUCH_FILE if not source.exists() else M.NOT_A_FILE).both())
    kind = workbook.workbook_kind(source)
    misnamed = workbook.misnamed(source, kind)
    if kind is not None:
        if encoding.strip().lower() != AUTO:
            raise BatchInputError(M.ENCODING_FOR_WORKBOOK.both(kind=f".{kind}"))
        sheet_list = workbook.read_workbook(
            source, kind, sheet, column_map, reading=reading, state=state
        )
        yield _ListRead(
            sheet_list.columns,
            lambda job: parallel.screen_sheet(job, sheet_list, helper),
            lambda: ListSource.of_sheet(sheet_list.facts, misnamed),
        )
        return
    if sheet is not None:
        raise BatchInputError(M.SHEET_FOR_CSV.both())
    workers = jobs or _default_jobs(source)
    stream, used = _open_list(source, encoding)
    with stream, _progress(source, language) as progress:
        header, chunks = read_chunks(stream, used.name, detected=used.detected)
        chosen = map_columns(header, column_map)
        listed = parallel.ListFile(source, used.codec, used.name)
        yield _ListRead(
            chosen,
            lambda job: parallel.screen_list(
                job, listed, header, stream, chunks, jobs=workers, progress=progress
            ),
            lambda: ListSource(used.name, used.detected, misnamed=misnamed),
        )


def _default_jobs(source: Path) -> int:
    """Two processes for a long list where there are two cores (a worker takes ~0.3 s to start,
    and each process holds ~90 MB: more are for --jobs to ask); one otherwise."""
    try:
        large = source.stat().st_size > 4_000_000
    except OSError:
        return 1
    return _cores() if large else 1


def _cores() -> int:
    """Two processes where there are two cores (a workbook's sheet is shared by two at most,
    and only when it is long: parallel.screen_sheet)."""
    return min(os.cpu_count() or 1, 2)


def _open_list(path: Path, encoding: str) -> tuple[TextIO, ListEncoding]:
    """Open a referral list in the encoding asked for, or detected (`auto`), and say which;
    bytes that do not decode are kept, to name their record."""
    from cart_screen.csv_list import UNDECODED
    from cart_screen.list_encoding import list_encoding

    used = list_encoding(path, encoding)
    return path.open(encoding=used.codec, errors=UNDECODED, newline=""), used


@contextlib.contextmanager
def _progress(path: Path, language: Language) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on a terminal (none otherwise), told the byte offset reached."""
    if not sys.stderr.isatty():
        yield None
        return
    import rich.console
    import rich.progress

    console = rich.console.Console(stderr=True)
    with rich.progress.Progress(console=console, transient=True) as bar:
        task = bar.add_task(M.PROGRESS(language), total=path.stat().st_size)
        yield lambda offset: bar.update(task, completed=offset)


@app.command()
def template(
    output: Annotated[
        Path, typer.Argument(metavar="OUT.csv", help="Empty referral list to write.")
    ],
    columns: Annotated[
        Path | None,
        typer.Option("--columns", metavar="MAP.yaml", help="Also write a column-map skeleton."),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Write an empty referral list (and a column-map skeleton). / 生成空白转诊名单（及列映射模板）。"""
    from cart_screen.render import column_map_skeleton, printable, template_csv

    language = _language(lang)
    _refuse_special(language, output, columns)
    for path, text in ((output, template_csv()), (columns, column_map_skeleton())):
        if path is None:
            continue
        if path.exists():
            fail(M.EXISTS(language, path=path), language)
        with _written(path, language, newline="") as out:
            out.write(text)
        typer.echo(M.WROTE(language, path=printable(str(path))))


@rules_app.command("validate")
def rules_validate(
    path: Annotated[
        Path | None, typer.Argument(help="Ruleset folder or ruleset.yaml; default: HICARA.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Check rule files and run their examples; problems as file:line:col. / 校验规则文件并运行示例。"""
    from cart_screen.examples import check_examples
    from cart_screen.render import printable

    target = path or default_rules_path()
    try:
        ruleset = check_examples(load_ruleset(target))
    except RulesetError as exc:
        typer.echo(printable(str(exc), lines=True), err=True)
        raise typer.Exit(2) from None
    count, advisory, sha = len(ruleset.rules), len(ruleset.advisory), ruleset.sha256
    shown = printable(str(target))
    said = M.RULES_OK(_language(lang), path=shown, count=count, advisory=advisory, sha=sha)
    typer.echo(said)


@rules_app.command("basis")
def rules_basis(
    rules: RulesOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE.md", help="Write it to a file.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Print the clinical basis page (every rule, threshold, definition and source) as Markdown. / 生成临床依据页面。

    The page itself is in both languages, side by side; --lang sets the messages around it.
    """
    from cart_screen.basis import clinical_basis_markdown
    from cart_screen.render import printable

    language = _language(lang)
    _refuse_special(language, output)
    text = clinical_basis_markdown(_ruleset(rules, language))
    if output is None:
        typer.echo(text, nl=False)
        return
    with _written(output, language) as out:
        out.write(text)
    typer.echo(M.WROTE(language, path=printable(str(output))))


@rules_app.command("show")
def rules_show(rules: RulesOption = None, lang: LangOption = None) -> None:
    """Print the ruleset as a readable checklist with its fingerprint. / 显示规则集及其指纹。"""
    from cart_screen.render import ruleset_text

    language, ruleset, _ = _setting(lang, rules)
    typer.echo(ruleset_text(ruleset, language), nl=False)


class OutcomeChoice(enum.StrEnum):
    """The outcomes a worklist can be filtered by."""

    flagged = "flagged"
    needs_info = "needs_info"
    no_flags = "no_flags"
    error = "error"


class DecisionChoice(enum.StrEnum):
    """What a physician may decide (SPEC §9)."""

    proceed = "proceed"
    not_now = "not_now"
    more_info = "more_info"


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
PatientArgument = Annotated[str, typer.Argument(metavar="PATIENT", help="The patient id.")]


@contextlib.contextmanager
def _log_in_use(target: str | None, language: Language) -> Iterator[ScreeningLog]:
    """The log a `log` command reads or writes; every failure is one line and exit 2."""
    from cart_screen.log.store import LogError

    if not target:
        fail(M.LOG_NEEDED(language), language)
    log = _open_log(target, language, existing=True)
    try:
        yield log
    except LogError as exc:  # an unknown patient, a database gone meanwhile
        fail(exc.said, language)
    finally:
        log.close()


def _show(text: str, data: object, json_output: bool, language: Language) -> None:
    """A `log` command's output: JSON, or its text and then the notice, as every result has."""
    from cart_screen.render import printable

    if json_output:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(printable(text, lines=True), nl=False)
        typer.echo(f"\n{M.NOTICE(language)}")


@log_app.command("list")
def log_list(
    outcome: Annotated[
        OutcomeChoice | None, typer.Option(help="Only patients whose latest outcome is this.")
    ] = None,
    json_output: JsonOption = False,
    log: LogOption = None,
    lang: LangOption = None,
) -> None:
    """One line per patient: latest screening, outcome, open items, decision. / 每位患者一行。"""
    from cart_screen.log import views

    language = _language(lang)
    with _log_in_use(log, language) as opened:
        lines = opened.worklist(outcome.value if outcome else None)
    _show(views.worklist_text(lines, language), views.worklist_json(lines), json_output, language)


@log_app.command("show")
def log_show(
    patient: PatientArgument, json_output: JsonOption = False, log: LogOption = None,
    lang: LangOption = None,
) -> None:  # fmt: skip
    """Every screening and decision of one patient, oldest first. / 一位患者的全部筛查与结论。"""
    from cart_screen.log import views

    language = _language(lang)
    with _log_in_use(log, language) as opened:
        screenings, decisions = opened.history(patient)
    text = views.history_text(screenings, decisions, language)
    _show(text, views.history_json(patient, screenings, decisions), json_output, language)


@log_app.command("diff")
def log_diff(
    patient: PatientArgument, json_output: JsonOption = False, log: LogOption = None,
    rules: RulesOption = None, lang: LangOption = None,
) -> None:  # fmt: skip
    """What changed between the last two screenings of a patient. / 最近两次筛查之间的变化。"""
    from cart_screen.log import views

    language = _language(lang)
    with _log_in_use(log, language) as opened:
        screenings, _ = opened.history(patient)
    if len(screenings) < 2:
        only = M.LOG_ONE_SCREENING(language, patient=patient, id=screenings[-1].id) + "\n"
        data: dict[str, Any] = {"patient_id": patient, "from": None, "to": screenings[-1].id, "changes": [],
                "fields": []}  # fmt: skip
        _show(only, data, json_output, language)
        return
    found = views.diff(patient, screenings[-2], screenings[-1])
    fields = {r.id: (*r.required, *r.optional) for r in _ruleset(rules, language).rules}
    _show(views.diff_text(found, fields, language), views.diff_json(found), json_output, language)


@log_app.command("decide")
def log_decide(
    patient: PatientArgument,
    decision: Annotated[DecisionChoice, typer.Option(help="The physician's decision.")],
    physician: Annotated[str, typer.Option(help="The physician who decided.")],
    note: Annotated[str | None, typer.Option(help="A note beside the decision.")] = None,
    log: LogOption = None,
    lang: LangOption = None,
) -> None:
    """Record the physician's decision on the patient's latest screening. / 记录医师结论。"""
    from cart_screen.log.views import DECISION_WORDS
    from cart_screen.render import printable

    language = _language(lang)
    if not physician.strip():
        fail(M.LOG_PHYSICIAN_NEEDED(language), language)
    with _log_in_use(log, language) as opened:
        made = opened.decide(patient, decision.value, physician.strip(), _who(), note)
    words = DECISION_WORDS[made.decision](language)
    said = M.LOG_DECIDED(
        language, patient=patient, decision=words, physician=made.physician, id=made.screening_id
    )
    typer.echo(printable(said))


@log_app.command("export")
def log_export(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE.csv|FILE.xlsx", help="Where to write.")
    ],
    log: LogOption = None,
    lang: LangOption = None,
) -> None:
    """Write the whole log, one row per screening or decision, as .csv or .xlsx. / 导出记录库。"""
    from cart_screen.log.export import FORMATS, write_export
    from cart_screen.log.views import EXPORT_COLUMNS, export_rows
    from cart_screen.render import printable

    language = _language(lang)
    if output.suffix.lower() not in FORMATS:
        fail(M.LOG_EXPORT_FORMAT(language, path=output), language)
    _not_the_log(log, language, output)
    _refuse_special(language, output)
    with _log_in_use(log, language) as opened, _written_by(language):
        count = write_export(output, EXPORT_COLUMNS, export_rows(opened.everything()), language)
    typer.echo(M.LOG_EXPORTED(language, count=count, path=printable(str(output))))


@contextlib.contextmanager
def _written_by(language: Language) -> Iterator[None]:
    """A file that cannot be written is one line and exit status 2."""
    from cart_screen.files import SpecialFileError, cannot_write
    from cart_screen.list_records import BatchInputError

    try:
        yield
    except BatchInputError as exc:  # more rows than a worksheet holds
        fail(exc.said(language), language)
    except SpecialFileError as exc:
        fail(_special_said(exc, language), language)
    except OSError as exc:
        fail(cannot_write(exc)(language), language)


class Dialect(enum.StrEnum):
    """The SQL dialects `rules sql` writes (SPEC §10)."""

    duckdb = "duckdb"
    sqlite = "sqlite"
    postgres = "postgres"
    spark = "spark"
    trino = "trino"
    mysql = "mysql"
    tsql = "tsql"
    bigquery = "bigquery"
    snowflake = "snowflake"


@rules_app.command("sql")
def rules_sql(
    dialect: Annotated[Dialect, typer.Option("--dialect", help="The database's SQL dialect.")],
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="The table (or view) to screen, default referrals; with --vocabulary the "
            "lookup table, default cart_screen_terms.",
        ),
    ] = None,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the CREATE TABLE of the typed columns.")
    ] = False,
    vocabulary: Annotated[
        bool,
        typer.Option(
            "--vocabulary", help="Print a lookup table: normalised spellings -> codes and values."
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE.sql", help="Write it to a file.")
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Screening date of rows without one; default: the database's CURRENT_DATE.",
        ),
    ] = None,
    rules: RulesOption = None,
    lang: LangOption = None,
) -> None:
    """Print one SQL query that screens every row of a table (SPEC §10). / 生成在数据库中筛查整张表的 SQL 查询。

    --lang sets the language of the notice in every row, and of the messages.
    """
    from cart_screen import sql
    from cart_screen.render import printable

    language = _language(lang)
    if schema and vocabulary:
        fail(M.SQL_ONE_OUTPUT(language), language)
    _refuse_special(language, output)
    try:
        if schema:
            text = sql.schema_sql(dialect.value, table=table or sql.DEFAULT_TABLE)
        else:
            ruleset = _ruleset(rules, language)
            if vocabulary:
                text = sql.terms_sql(ruleset, dialect.value, table=table or sql.TERMS_TABLE)
            else:
                text = sql.screening_sql(
                    ruleset,
                    dialect.value,
                    table=table or sql.DEFAULT_TABLE,
                    as_of=_day(as_of),
                    language=language,
                )
    except sql.TableNameError as exc:
        fail(M.SQL_BAD_TABLE(language, table=exc.args[0], dialect=dialect.value), language)
    except sql.SqlCompileError as exc:
        fail(M.RULES_REFUSED(language, problems=str(exc)), language)
    except sql.SqlRenderError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fail(M.SQL_NOT_SAYABLE(language, dialect=dialect.value, detail=detail), language)
    if output is None:
        typer.echo(text, nl=False)
        return
    with _written(output, language) as out:
        out.write(text)
    typer.echo(M.WROTE(language, path=printable(str(output))), err=True)


def main() -> None:
    """Run the command line; an unexpected failure is one line, never a traceback."""
    from cart_screen.stopping import StopSignals, ignored_from_now_on

    StopSignals.ignored_once_done = True  # this process ends with its command
    try:
        app()
    except Exception as exc:
        if os.environ.get("CART_SCREEN_DEBUG"):
            raise
        # The exception text may hold patient values, so only its type is shown.
        language = language_from_environment()
        sys.stderr.write(M.INTERNAL_ERROR(language, kind=type(exc).__name__) + "\n")
        sys.exit(1)
    finally:  # the command is done: a stop while this process exits changes nothing
        ignored_from_now_on()
