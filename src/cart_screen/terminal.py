"""The wizard in a terminal: the conversation around `Wizard`, with line editing where it can.

On a terminal, prompt_toolkit reads each answer: arrow keys move in the line, ↑ and ↓ recall the
earlier answers to the same question, Tab completes the field's values, Ctrl-D on an empty line
skips the question, Ctrl-C stops (the command offers to save what was answered). Text is wrapped
to the terminal's width, a Chinese character taking two columns. Answers piped in are read line
by line as before (`input`), echoed so that the transcript reads as a conversation; there the end
of input leaves every question left unanswered.

After the last question the review screen lists every answer with its number, to change one
before screening. Files are the command's (`cli.form`): this module only talks.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import typer

from cart_screen.i18n import Language, M
from cart_screen.render import printable, width
from cart_screen.wizard import GROUPS, Feedback, Wizard

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession


@dataclass(frozen=True)
class Asking:
    """One question put to the coordinator."""

    prompt: str
    key: str = ""
    """Which question: answers to one key are recalled together (↑)."""
    default: str | None = None
    prefill: bool = False
    """Whether the default is put in the line to edit (else ↑ brings it)."""
    completions: Sequence[tuple[str, str]] = ()


class Talk(Protocol):
    """Says texts and reads answers: raises EOFError (Ctrl-D, input ended) and
    KeyboardInterrupt (Ctrl-C)."""

    editing: bool
    """Whether lines are edited in the terminal (Ctrl-D skips one question, not all)."""

    def say(self, text: str = "", *, indent: int = 0, lead: str = "", **style: Any) -> None: ...

    def ask(self, asking: Asking) -> str: ...

    @property
    def columns(self) -> int | None: ...


def wrapped(text: str, columns: int | None, indent: int = 0, lead: str = "") -> list[str]:
    """`text` cut into lines of at most `columns` terminal columns, between words (or between
    Chinese characters): the first after `lead`, the others indented as far (or `indent` spaces
    each, without a lead). No columns: one line."""
    hang = width(lead) or indent
    first = lead or " " * indent
    if columns is None:
        return [first + text]
    from rich.console import Console
    from rich.text import Text

    room = max(columns - hang, 10)
    lines = [line.plain.rstrip() for line in Text(text).wrap(Console(width=room), room)]
    return [(first if n == 0 else " " * hang) + line for n, line in enumerate(lines or [""])]


class AnswerRefused(Exception):
    """Piped answers: one could not be taken (or there were more lines than questions). Asking
    again would take the next line, meant for the next question, and shift every later answer
    into the wrong field: the run stops instead, screening nothing."""

    def __init__(self, field: str, message: str):
        super().__init__(field)
        self.field, self.message = field, message


@dataclass
class PlainTalk:
    """Answers read line by line from standard input (piped, or a terminal nothing edits)."""

    editing: bool = False

    @property
    def piped(self) -> bool:
        """Whether the answers come from a file or a pipe, not from someone typing them."""
        return not sys.stdin.isatty()

    @property
    def columns(self) -> int | None:
        return None

    def say(self, text: str = "", *, indent: int = 0, lead: str = "", **style: Any) -> None:
        line = (lead or " " * indent) + text
        typer.echo(typer.style(line, **style) if style else line)

    def ask(self, asking: Asking) -> str:
        typed = input(asking.prompt)
        if not sys.stdin.isatty():
            typer.echo(printable(typed))  # piped answers: keep the transcript readable
        return typed


@dataclass
class TerminalTalk:
    """Answers typed in a terminal, with prompt_toolkit's line editing."""

    editing: bool = True
    _sessions: dict[str, PromptSession[str]] = field(default_factory=dict)

    @property
    def columns(self) -> int | None:
        return shutil.get_terminal_size().columns

    def say(self, text: str = "", *, indent: int = 0, lead: str = "", **style: Any) -> None:
        for paragraph in text.split("\n"):
            for line in wrapped(paragraph, self.columns, indent, lead):
                typer.echo(typer.style(line, **style) if style else line)

    def ask(self, asking: Asking) -> str:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter
        from prompt_toolkit.history import InMemoryHistory

        session = self._sessions.get(asking.key)
        if session is None:  # one per question: ↑ recalls the answers given to this one
            session = self._sessions[asking.key] = PromptSession(history=InMemoryHistory())
        default = asking.default
        if default and default not in list(session.history.get_strings())[-1:]:
            session.history.append_string(default)  # ↑ brings the value shown to edit it
        completer = (
            WordCompleter(
                [word for word, _ in asking.completions],
                meta_dict=dict(asking.completions),
                ignore_case=True,
                sentence=True,
                match_middle=True,
            )
            if asking.completions
            else None
        )
        return session.prompt(
            asking.prompt,
            default=(default or "") if asking.prefill else "",
            completer=completer,
            complete_while_typing=False,
        )


def show_wrapped(text: str, talk: Talk) -> None:
    """Print a rendered text (the checklist: ANSI styles, indented lines) wrapped to the
    terminal's width, each wrapped line as indented as the line it comes from."""
    columns = talk.columns
    if columns is None:
        typer.echo(text, nl=False)
        return
    from rich.console import Console
    from rich.text import Text

    out = Console(width=columns, highlight=False, markup=False, emoji=False, soft_wrap=True)
    for line in text.rstrip("\n").split("\n"):
        styled = Text.from_ansi(line)  # a style may start before the indent
        indent = len(styled.plain) - len(styled.plain.lstrip(" "))
        room = max(columns - indent, 10)
        for part in styled[indent:].wrap(out, room) or [Text()]:
            part.rstrip()
            out.print(Text(" " * indent) + part)


def talk_for_this_terminal() -> Talk:
    """Line editing where both ends are a terminal; lines read as they come otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalTalk()
    return PlainTalk()


def fill_in(wizard: Wizard, talk: Talk) -> None:
    """Ask every question, then the review screen until Enter; Ctrl-C (KeyboardInterrupt) goes
    to the caller, with every answer given so far in `wizard`."""
    language = wizard.language
    keys = M.KEYS_HELP if talk.editing else M.INSTRUCTIONS
    talk.say(f"{M.FORM_TITLE(language)} — {keys(language)}")
    ended = _questions(wizard, talk, None)
    if _piped(talk):  # no review: a line meant for a question must never revise another
        if not ended:
            _no_more_lines(wizard, talk)
        return
    while not ended and _review(wizard, talk):
        ended = _questions(wizard, talk, None)


def _no_more_lines(wizard: Wizard, talk: Talk) -> None:
    """Piped answers: every question is answered; a line left over means the answers and the
    questions did not line up (one line too many somewhere), so the run stops."""
    while True:
        try:
            extra = talk.ask(Asking("", "end"))
        except EOFError:
            return
        if extra.strip():
            message = M.PIPED_EXTRA_LINE(wizard.language, line=printable(extra.strip()))
            raise AnswerRefused("", message)


def report_unknown_keys(wizard: Wizard, talk: Talk, source: str) -> None:
    """Say which keys of the pre-filled form are no field, as the checklist says it."""
    from cart_screen.render import error_line

    errors = wizard.unknown_keys()
    if errors:
        talk.say(M.PREFILL_UNKNOWN(wizard.language, path=printable(source)), fg="yellow")
        for error in errors:
            talk.say(error_line(error.field, error.value, error.message(wizard.language)))


def _questions(wizard: Wizard, talk: Talk, shown_group: str | None) -> bool:
    """Ask until the last question is answered; True when the input ended."""
    language = wizard.language
    asked: tuple[str, int] | None = None
    while not wizard.done:
        question = wizard.question()
        if question.group != shown_group:
            talk.say()
            talk.say(GROUPS[question.group](language), bold=True, underline=True)
            shown_group = question.group
        if (question.name, wizard.position) != asked:  # not again after a wrong answer
            talk.say(question.hint, indent=2, dim=True)
            asked = (question.name, wizard.position)
        # In a terminal, an answer changed from the review is there to edit; else [shown].
        prefill = talk.editing and wizard.reviewing
        shown = f" [{printable(question.default)}]" if question.default and not prefill else ""
        try:
            asking = Asking(
                f"{question.prompt}{shown}: ",
                question.name,
                question.default,
                prefill,
                question.completions,
            )
            typed = talk.ask(asking)
        except EOFError:
            if not talk.editing:  # piped answers ended: nothing more will come
                wizard.skip_rest()
                return True
            feedback = wizard.skip()  # Ctrl-D: skip this question
            _tell(
                talk,
                feedback if feedback.message else Feedback("next", M.SKIPPED(language)),
                language,
            )
            continue
        feedback = wizard.answer(typed)
        if feedback.kind == "again" and _piped(talk):
            raise AnswerRefused(question.name, printable(feedback.message))
        _tell(talk, feedback, language)
    return False


def _piped(talk: Talk) -> bool:
    return isinstance(talk, PlainTalk) and talk.piped


def _tell(talk: Talk, feedback: Feedback, language: Language) -> None:
    if feedback.message:
        # Messages quoting an answer are shown escaped (printable).
        colour = "red" if feedback.kind == "again" else None
        talk.say(printable(feedback.message), indent=2, fg=colour)
    if feedback.kind == "help":
        talk.say(M.KEYS_HELP(language), indent=2)


def _review(wizard: Wizard, talk: Talk) -> bool:
    """Show every answer with its number; True when one is to be asked again, False to screen."""
    language = wizard.language
    rows = wizard.review()
    talk.say()
    talk.say(M.REVIEW_TITLE(language), bold=True, underline=True)
    label_columns = max(width(row.label) for row in rows)
    columns = talk.columns
    # Labels in a column when there is room for it, else each answer under its label.
    beside = columns is None or label_columns + 7 + 16 <= columns
    for row in rows:
        answer = printable(row.answer) if row.answer else M.UNANSWERED(language)
        text = f"{answer}  {row.note}" if row.note else answer
        if beside:
            lead = f"{row.number:>3}  {row.label}{' ' * (label_columns - width(row.label))}  "
        else:
            talk.say(row.label, lead=f"{row.number:>3}  ")
            lead = " " * 5
        talk.say(text, lead=lead)
    while True:
        try:
            typed = talk.ask(Asking(M.REVIEW_PROMPT(language), "review")).strip()
        except EOFError:
            return False
        if not typed:
            return False
        if typed.isdigit() and wizard.revise(int(typed)):
            return True
        if typed in ("?", "？"):
            talk.say(M.KEYS_HELP(language), indent=2)
            continue
        talk.say(M.REVIEW_NO_SUCH(language, count=len(rows)), indent=2, fg="red")


def offer_to_save(wizard: Wizard, talk: Talk, save: str | None) -> str | None:
    """After Ctrl-C: where to save the answers given so far, as the coordinator says (None:
    nothing to save, or not wanted). A second Ctrl-C, or the end of input, is no."""
    count = len(wizard.partial_form())
    if not count:
        return None
    language = wizard.language
    talk.say()
    try:
        if save is not None:
            asked = M.STOP_SAVE_TO(language, count=count, path=printable(save))
            typed = talk.ask(Asking(asked, "stop"))
            return save if typed.strip().casefold() in {"y", "yes", "是"} else None
        where = talk.ask(Asking(M.STOP_SAVE_WHERE(language, count=count), "stop")).strip()
        if where and Path(where).exists():  # another patient's form, most likely
            asked = M.STOP_OVERWRITE(language, path=printable(where))
            if talk.ask(Asking(asked, "stop")).strip().casefold() not in {"y", "yes", "是"}:
                return None
    except (EOFError, KeyboardInterrupt):
        talk.say()
        return None
    return where or None
