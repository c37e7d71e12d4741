"""Reviewer pages are safe by construction.

Every string that comes from the data (a cell, a header, a file name, a label) goes through
:func:`esc` before it reaches HTML or Markdown, and every reviewer page carries :data:`CSP`:
no script runs, nothing is fetched, images only from ``data:`` URIs. So even a future
escaping slip can neither run nor call out.
"""

from __future__ import annotations

import html
import re

# No script, no connection, no frame, no form; images and fonts only inline (data:), styles
# inline (nbconvert inlines its CSS). ``frame-ancestors`` is not honoured in a <meta> tag.
CSP = (
    "default-src 'none'; script-src 'none'; connect-src 'none'; img-src data:; "
    "font-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "object-src 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

# Characters that HTML or Markdown would read as markup. In Markdown each becomes a numeric
# character reference: CommonMark shows it as the character and never as markup.
_MARKUP = re.compile(r"[&<>\"'\\`*_{}\[\]()#+\-.!|~:]")


def esc(value: object) -> str:
    """``value`` as text safe inside HTML element content or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def esc_markdown(value: object) -> str:
    """``value`` as text safe inside Markdown rendered to HTML: every character that HTML or
    Markdown reads as markup is written as a character reference (no tag, link, image or
    emphasis; the reader sees the text as it was)."""
    text = "" if value is None else str(value)
    return _MARKUP.sub(lambda m: f"&#{ord(m.group())};", text)
