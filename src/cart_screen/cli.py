"""Command line: parse arguments -> library -> render -> exit code. No clinical logic here.

Exit status (SPEC §5): 0 when screening ran, whatever the outcomes; 2 for usage errors, unreadable
input or invalid rules, with a one-line message and never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn, TextIO

# pydantic looks for plugins in every installed distribution's metadata when it builds the first
# model, which costs more than the whole screen; this command line uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from cart_screen.ruleset import (
    Ruleset,
    RulesetError,
    default_rules_path,
    load_ruleset,
)

app = typer.Typer(
    help="Pre-screen HICARA referrals against the label. The treating physician decides.",
    no_args_is_help=True,
    add_completion=False,
    # Pretty tracebacks print local variables, which would put patient data on the screen.
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Check and show rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

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


def fail(message: str) -> NoReturn:
    """Say what is wrong on one line and stop with exit status 2."""
    typer.echo(f"cart-screen: error: {message}", err=True)
    raise typer.Exit(2)


def _ruleset(path: Path | None) -> Ruleset:
    from cart_screen.screening import resolve_ruleset

    try:
        return resolve_ruleset(path)
    except RulesetError as exc:
        fail("the rules were refused:\n" + str(exc))


def _day(as_of: dt.datetime | None) -> dt.date | None:
    return as_of.date() if as_of else None


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="One patient form, YAML or JSON.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON result.")] = False,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
) -> None:
    """Screen one patient form and print its checklist."""
    from cart_screen.form import FormFileError, load_form_file
    from cart_screen.render import checklist_text, result_json
    from cart_screen.screening import screen

    ruleset = _ruleset(rules)
    try:
        raw = load_form_file(file)
    except FormFileError as exc:
        fail(str(exc))
    result = screen(raw, as_of=_day(as_of), rules=ruleset)
    typer.echo(result_json(result) if json_output else checklist_text(result), nl=False)


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
) -> None:
    """Fill in one patient's form question by question, then see the checklist."""
    import yaml

    from cart_screen.files import atomic_write
    from cart_screen.form import FormFileError, load_form_file
    from cart_screen.render import checklist_text, result_json
    from cart_screen.screening import screen
    from cart_screen.wizard import GROUPS, INSTRUCTIONS, Wizard

    ruleset = _ruleset(rules)
    try:
        start = load_form_file(prefill) if prefill else {}
    except FormFileError as exc:
        fail(str(exc))
    wizard = Wizard.prefilled(ruleset, start, _day(as_of))
    typer.echo(typer.style("HICARA referral form", bold=True) + f" — {INSTRUCTIONS}")
    shown_group = None
    while not wizard.done:
        question = wizard.question()
        if question.group != shown_group:
            typer.echo("\n" + typer.style(GROUPS[question.group], bold=True, underline=True))
            shown_group = question.group
        typer.echo(typer.style(f"  {question.hint}", dim=True))
        default = f" [{question.default}]" if question.default else ""
        try:
            typed = input(f"{question.spec.label}{default}: ")
        except EOFError:
            wizard.skip_rest()
            break
        if not sys.stdin.isatty():
            typer.echo(typed)  # piped answers: keep the transcript readable
        feedback = wizard.answer(typed)
        if feedback.message:
            colour = "red" if feedback.kind == "again" else None
            typer.echo(typer.style(f"  {feedback.message}", fg=colour))
    answers = wizard.form()
    if "patient_id" not in answers:
        fail("no patient id was given; nothing screened")
    result = screen(answers, as_of=_day(as_of), rules=ruleset)
    typer.echo("")
    typer.echo(checklist_text(result), nl=False)
    for path, text in (
        (save, yaml.safe_dump(answers, allow_unicode=True, sort_keys=False)),
        (result_file, result_json(result) + "\n"),
    ):
        if path is not None:
            with atomic_write(path) as out:
                out.write(text)
            typer.echo(f"saved {path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
) -> None:
    """Serve the form and the list upload as a local web page."""
    import ipaddress

    import uvicorn

    from cart_screen.web import create_app

    ruleset = _ruleset(rules)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        typer.echo(
            f"cart-screen: warning: serving on {host} lets other machines reach this page; "
            "it has no login. Use 127.0.0.1 unless your network is protected.",
            err=True,
        )
    typer.echo(f"cart-screen: open http://{host}:{port}/ (Ctrl-C stops)", err=True)
    # No access log: paths hold no patient data, but nothing about a visit needs keeping.
    uvicorn.run(create_app(ruleset, _day(as_of)), host=host, port=port, access_log=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the patient form."""
    from cart_screen.render import form_schema_json

    typer.echo(form_schema_json(), nl=False)


def _distinct_outputs(source: Path, *outputs: Path | None) -> None:
    """Refuse an output that is the input or another output: nothing may be overwritten by mistake."""
    seen = {source.resolve(): "the input"}
    for path in outputs:
        if path is None:
            continue
        if path.resolve() in seen:
            fail(f"{path} is {seen[path.resolve()]}; choose another file")
        if path.is_dir():
            fail(f"{path} is a folder; name a file")
        seen[path.resolve()] = "already another output"


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(metavar="IN.csv", help="The referral list (CSV).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="OUT.csv", help="One row per record.")
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
        str, typer.Option(help="Encoding of IN.csv, e.g. gb18030; UTF-8 may have a BOM.")
    ] = "utf-8",
    excel: Annotated[
        bool, typer.Option("--excel", help="Write OUT.csv with a BOM so Excel/WPS show Chinese.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            help="Worker processes; 0 = automatic (one per spare core for lists over 4 MB)."
        ),
    ] = 0,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
) -> None:
    """Screen a referral list: OUT.csv gets one row per record, in input order."""
    from cart_screen import batch as lists
    from cart_screen.files import atomic_write
    from cart_screen.render import BATCH_COLUMNS, summary_text

    ruleset = _ruleset(rules)
    _distinct_outputs(source, output, jsonl, summary_file)
    day = _day(as_of) or dt.date.today()
    try:
        column_map = lists.load_column_map(columns) if columns else {}
        codec = lists.text_encoding(encoding)
        workers = jobs or _default_jobs(source)
        with _open_list(source, codec) as stream:
            header, records = lists.read_records(stream, encoding)
            chosen = lists.map_columns(header, column_map)
            summary = lists.Summary(
                tuple(r.id for r in ruleset.rules), ignored_columns=chosen.ignored
            )
            job = lists.Job(ruleset, chosen, day, details=jsonl is not None)
            with (
                atomic_write(output, encoding="utf-8-sig" if excel else "utf-8", newline="") as out,
                atomic_write(jsonl) if jsonl else contextlib.nullcontext() as details,
            ):
                out.write(",".join(BATCH_COLUMNS) + "\r\n")
                for chunk in lists.screen_chunks(job, records, jobs=workers):
                    summary.add(chunk.tally)
                    out.write(chunk.rows)
                    if details is not None:
                        details.write(chunk.details)
        if summary_file:
            with atomic_write(summary_file) as out:
                json.dump(summary.as_json(), out, indent=2, ensure_ascii=False)
    except lists.BatchInputError as exc:
        fail(f"{source}: {exc}")
    except OSError as exc:
        fail(
            f"cannot write the results ({exc.__class__.__name__}: {exc.strerror}); nothing written"
        )
    typer.echo(summary_text(summary), err=True, nl=False)


def _default_jobs(source: Path) -> int:
    """Workers pay for their start-up only on long lists, and only with a core to spare.

    The main process reads and writes while the workers screen; on two cores a worker shares a
    core with it, which gained under a fifth of the time for twice the memory (benchmarks/).
    """
    cores = os.cpu_count() or 1
    try:
        large = source.stat().st_size > 4_000_000
    except OSError:
        return 1
    return min(cores - 1, 4) if large and cores > 2 else 1


def _open_list(path: Path, codec: str) -> contextlib.AbstractContextManager[TextIO]:
    """Open a referral list, with a progress bar on a terminal; undecodable bytes are kept."""
    from cart_screen.batch import BatchInputError

    if not path.is_file():
        raise BatchInputError("no such file" if not path.exists() else "not a file")
    if not sys.stderr.isatty():
        return path.open(encoding=codec, errors="surrogateescape", newline="")
    import rich.console
    import rich.progress

    return rich.progress.open(
        path,
        "r",
        encoding=codec,
        errors="surrogateescape",
        newline="",
        description="Screening",
        console=rich.console.Console(stderr=True),
        transient=True,
    )


@app.command()
def template(
    output: Annotated[
        Path, typer.Argument(metavar="OUT.csv", help="Empty referral list to write.")
    ],
    columns: Annotated[
        Path | None,
        typer.Option("--columns", metavar="MAP.yaml", help="Also write a column-map skeleton."),
    ] = None,
) -> None:
    """Write an empty referral list with the right headers (and a column-map skeleton)."""
    from cart_screen.files import atomic_write
    from cart_screen.render import column_map_skeleton, template_csv

    for path, text in ((output, template_csv()), (columns, column_map_skeleton())):
        if path is None:
            continue
        if path.exists():
            fail(f"{path} exists; it is not overwritten")
        with atomic_write(path, newline="") as out:
            out.write(text)
        typer.echo(f"wrote {path}")


@rules_app.command("validate")
def rules_validate(
    path: Annotated[
        Path | None, typer.Argument(help="Ruleset folder or ruleset.yaml; default: HICARA.")
    ] = None,
) -> None:
    """Load and check rule files; each problem is printed as file:line:col."""
    target = path or default_rules_path()
    try:
        ruleset = load_ruleset(target)
    except RulesetError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"ok: {target} — {len(ruleset.rules)} rules, sha256 {ruleset.sha256}")


@rules_app.command("show")
def rules_show(rules: RulesOption = None) -> None:
    """Print the ruleset as a readable checklist with its fingerprint."""
    from cart_screen.render import ruleset_text

    typer.echo(ruleset_text(_ruleset(rules)), nl=False)


def main() -> None:
    """Run the command line; an unexpected failure is one line, never a traceback."""
    try:
        app()
    except Exception as exc:
        if os.environ.get("CART_SCREEN_DEBUG"):
            raise
        # The exception text may hold patient values, so only its type is shown.
        sys.stderr.write(
            f"cart-screen: internal error ({type(exc).__name__}); please report it. "
            "Set CART_SCREEN_DEBUG=1 to see details.\n"
        )
        sys.exit(1)
