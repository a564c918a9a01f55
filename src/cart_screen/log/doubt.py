"""What a line counting a list's screenings in the log says of those it may hold or not.

Its own module, importing no database library: the command line and the web page say it after
a failure whether or not they have loaded the log's modules (they import SQLAlchemy).
"""

from __future__ import annotations

from cart_screen.i18n import Language, M


def in_doubt_said(in_doubt: int, unconfirmed: int, language: Language) -> str:
    """The screenings of a list the log may hold or not, each said after a separator, for the
    line that counts what it holds ("" when it knows): those being stored when the run stopped
    waiting for it (ListRecorder.in_doubt), and those whose COMMIT went unanswered
    (ListRecorder.unconfirmed)."""
    sep, said = M.SEPARATOR(language), ""
    if in_doubt:
        said += sep + M.LOG_IN_DOUBT(language, count=in_doubt)
    if unconfirmed:
        said += sep + M.LOG_UNCONFIRMED(language, count=unconfirmed)
    return said
