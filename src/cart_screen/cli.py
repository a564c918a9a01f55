"""Command line: parse arguments -> library -> render -> exit code. No clinical logic here.

Exit status (SPEC §5): 0 when screening ran, whatever the outcomes; 2 for usage errors, unreadable
input or invalid rules, with a one-line message and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

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
def schema() -> None:
    """Print the JSON Schema of the patient form."""
    from cart_screen.render import form_schema_json

    typer.echo(form_schema_json(), nl=False)


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
