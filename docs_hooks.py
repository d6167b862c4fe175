"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml), run at build time so that
the built site needs no script and no network to read well:

- formulas: the TeX that ``pymdownx.arithmatex`` (generic mode) leaves in its spans and
  divisions is rendered to MathML by latex2mathml; browsers draw MathML natively (MathML
  Core: Chromium 109+, Firefox, Safari);
- reStructuredText roles of the numpydoc docstrings (``:func:`name```, ``:class:`~a.b.C```)
  become code, linked to the API page where that object is documented (an *optional*
  mkdocs-autorefs reference: a name documented nowhere stays plain code).
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

#: Formulas as arithmatex's generic mode leaves them, in mkdocs.yml's wrappers (``$…$``,
#: ``$$…$$``) or its defaults (``\\(…\\)``, ``\\[…\\]``).
INLINE = re.compile(r'<span class="arithmatex">(?:\$|\\\()(.*?)(?:\$|\\\))</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">(?:\$\$|\\\[)(.*?)(?:\$\$|\\\])</div>', re.S)
#: A role as Markdown renders it: the role name, then the inline code of its target.
ROLE = re.compile(
    r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj|const):<code>(~?)([^<]+)</code>"
)


def _mathml(tex: str, display: str) -> str:
    # arithmatex escaped &, < and > for HTML; latex2mathml reads the TeX itself.
    return convert(html.unescape(tex).strip(), display=display)


def _role(match: re.Match[str]) -> str:
    short, target = match.groups()
    title = target.rsplit(".", 1)[-1] if short else target
    return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'


def on_page_content(html_text: str, **kwargs: Any) -> str:
    """The page's HTML with its formulas as MathML and its docstring roles as code links."""
    html_text = BLOCK.sub(lambda m: _mathml(m.group(1), "block"), html_text)
    html_text = INLINE.sub(lambda m: _mathml(m.group(1), "inline"), html_text)
    return ROLE.sub(_role, html_text)
