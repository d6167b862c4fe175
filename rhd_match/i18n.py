"""Languages of what people read: French first, English available (``docs/i18n.md``).

Source strings are English, marked in the code with :func:`gettext` (imported as ``_``),
:func:`ngettext`, or :func:`gettext_noop` (imported as ``N_``) for module-level constants that
are translated where they are shown. Translations live in gettext catalogues,
``rhd_match/locale/LANG/LC_MESSAGES/rhd_match.po``, read with Babel. English needs no
catalogue: its messages are the source strings.

The active language belongs to the current context (a :class:`contextvars.ContextVar`,
default :data:`DEFAULT_LANGUAGE`); public functions that write for people take a ``language``
argument and run under :func:`use_language`. Numbers, money, percentages and month names are
formatted with Babel's CLDR data for the active language: ``1 234,50 €`` and ``20,0 %`` in
French, ``€1,234.50`` and ``20.0%`` in English. French groups digits with a narrow no-break
space (U+202F) and puts a no-break space (U+00A0) before ``€`` and ``%``, as CLDR does.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import gettext as _gettext
import io
import math
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from importlib import resources

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_percent,
    format_scientific,
    get_decimal_symbol,
    parse_pattern,
)
from babel.support import Translations

#: Languages with a catalogue (English is the source language), in the order shown to users.
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
#: The gettext domain: the catalogues' file name.
DOMAIN = "rhd_match"
#: Environment variable the command line reads for its default language (``--lang`` wins).
LANGUAGE_ENV = "RHD_MATCH_LANG"

_active: ContextVar[str] = ContextVar("rhd_match_language", default=DEFAULT_LANGUAGE)


def check_language(language: str) -> str:
    """``language`` if rhd_match speaks it.

    Parameters
    ----------
    language
        A language code: ``"fr"``, ``"en"``.

    Returns
    -------
    str
        ``language``.

    Raises
    ------
    ValueError
        When it is not one of ``LANGUAGES``.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
    return language


def current_language() -> str:
    """The language of the current context (set by ``use_language``).

    Returns
    -------
    str
        One of ``LANGUAGES``; ``DEFAULT_LANGUAGE`` outside any ``use_language`` block.
    """
    return _active.get()


@contextmanager
def use_language(language: str) -> Iterator[str]:
    """Within the ``with`` block, messages and formats are in ``language``.

    Parameters
    ----------
    language
        One of ``LANGUAGES``.

    Returns
    -------
    Iterator of str
        A context manager yielding ``language``.

    Raises
    ------
    ValueError
        When ``language`` is not one of ``LANGUAGES``.
    """
    token = _active.set(check_language(language))
    try:
        yield language
    finally:
        _active.reset(token)


@functools.cache
def translations(language: str) -> _gettext.NullTranslations:
    """The messages of ``language``, compiled once per process from its ``.po`` catalogue.

    The catalogue is read with Babel and compiled in memory: no ``.mo`` binary is kept in the
    repository or needed in the build. Fuzzy entries are left out, as ``msgfmt`` does.
    English returns the source strings.
    """
    if check_language(language) == "en":
        return _gettext.NullTranslations()
    po = resources.files(__package__) / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as file:
        catalog = read_po(file, locale=language, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def gettext(message: str) -> str:
    """``message`` in the active language (import it as ``_``).

    Parameters
    ----------
    message
        The English source string, as marked in the code.

    Returns
    -------
    str
        Its translation; ``message`` itself in English or when the catalogue lacks it.
    """
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n``, in the active language.

    Parameters
    ----------
    singular, plural
        The English source strings.
    n
        The count that chooses the form (French counts 0 and 1 as singular).

    Returns
    -------
    str
        The translated form, its placeholders still to fill with ``.format()``.
    """
    return translations(_active.get()).ngettext(singular, plural, n)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it (import it as ``N_``).

    For constants defined at import, translated with ``gettext`` where they are shown.

    Parameters
    ----------
    message
        The English source string.

    Returns
    -------
    str
        ``message`` unchanged.
    """
    return message


def quoted(text: object) -> str:
    """``text`` between the active language's quotes: ``« C9 »`` in French, ``'C9'`` in English.

    For an id, a name or a value as typed, quoted back in a message (``docs/i18n.md``, *House
    forms*).

    Parameters
    ----------
    text
        What to quote, shown as ``str.format`` shows it.

    Returns
    -------
    str
        ``text`` with the quotes of the active language around it.
    """
    return gettext("'{text}'").format(text=text)


def format_range(first: object, last: object) -> str:
    """From ``first`` to ``last`` (weeks, rows, dates), or ``first`` alone when they are equal.

    Parameters
    ----------
    first, last
        The two ends, already formatted or shown as ``str.format`` shows them.

    Returns
    -------
    str
        ``2026-W10 à 2026-W12`` in French, ``2026-W10 to 2026-W12`` in English; ``2026-W10``
        for one week, never ``2026-W10 à 2026-W10``.
    """
    if first == last:
        return f"{first}"
    return gettext("{first} to {last}").format(first=first, last=last)


def _locale() -> Locale:
    return _locale_of(_active.get())


@functools.cache
def _locale_of(language: str) -> Locale:
    return Locale.parse(language)


def _digits(decimals: int) -> str:
    """Number pattern with grouping and exactly ``decimals`` decimals."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


@functools.cache
def _number_pattern(decimals: int) -> NumberPattern:
    # Parsed once: Babel's format_decimal parses its pattern on every call, a third of its
    # time, and a report formats tens of thousands of numbers.
    return parse_pattern(_digits(decimals))


def _half_up() -> AbstractContextManager[decimal.Context]:
    """Halves rounded away from zero, as people and spreadsheets do (Babel's default, the
    decimal module's, rounds them to even: 12.5 → 12)."""
    return decimal.localcontext(rounding=decimal.ROUND_HALF_UP)


def _not_a_number() -> str:
    """What a missing figure (NaN: no meals to divide by, no plan at that budget) shows."""
    return gettext("n/a")


def format_number(value: float, decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals and the language's separators.

    Parameters
    ----------
    value
        The number.
    decimals
        Decimals shown; halves rounded away from zero.

    Returns
    -------
    str
        ``1 234,5`` in French, ``1,234.5`` in English; ``n/a`` (``s.o.``) for NaN.
    """
    if math.isnan(value):
        return _not_a_number()
    with _half_up():
        return str(
            _number_pattern(decimals).apply(
                _unsigned_zero(value, decimals), _locale(), decimal_quantization=True
            )
        )


def _unsigned_zero(value: float, decimals: int) -> float:
    """0.0 for a value shown as zero with ``decimals`` decimals: no ``-0,00`` from a rounding
    residue (the difference of two equal sums)."""
    return 0.0 if abs(value) < 0.5 * 10.0**-decimals else value


def format_day(day: datetime.date) -> str:
    """A date as people of the language write it and their spreadsheet reads it: CLDR's short
    date format (``12/01/2026`` in French, ``1/12/26`` in English).

    Parameters
    ----------
    day
        The date.

    Returns
    -------
    str
        The date in the active language's short form.
    """
    return str(format_date(day, format="short", locale=_locale()))


def decimal_sign() -> str:
    """The decimal sign of the active language, for figures written by other means.

    Returns
    -------
    str
        ``,`` in French, ``.`` in English (CLDR).
    """
    return str(get_decimal_symbol(_locale()))


def format_significant(value: float, digits: int = 6) -> str:
    """``value`` rounded to ``digits`` significant digits (at least to the unit), with the
    language's separators: objectives and bounds as solvers report them.

    Parameters
    ----------
    value
        The number.
    digits
        Significant digits kept after the decimal point, at most.

    Returns
    -------
    str
        ``797,172`` in French, ``797.172`` in English; ``289 947 368`` for a large value.
    """
    if not math.isfinite(value):
        return _not_a_number() if math.isnan(value) else str(value)
    magnitude = math.floor(math.log10(abs(value))) + 1 if value else 1
    return format_number(value, max(0, digits - magnitude))


def format_figure(value: float) -> str:
    """``value`` with the decimals it has and no more, and the language's separators: a
    figure typed by a user, or a bound, quoted back in a message (never ``1e+09``).

    Parameters
    ----------
    value
        The number.

    Returns
    -------
    str
        ``1 000 000 000`` and ``0,25`` in French, ``1,000,000,000`` and ``0.25`` in English
        (12 significant digits, 12 decimals at most); from 1e15 on, in scientific notation
        with the language's decimal sign (``1,5E20``); ``n/a`` for NaN, ``inf`` for an
        infinity.
    """
    if not math.isfinite(value):
        return _not_a_number() if math.isnan(value) else str(value)
    if abs(value) >= 1e15:  # beyond any figure of a territory: a slip, shown as such
        return str(format_scientific(value, "0.###E0", locale=_locale()))
    exponent = decimal.Decimal(f"{value:.12g}").as_tuple().exponent
    return format_number(value, min(12, max(0, -int(exponent))))


def format_money(value: float, currency: str = "EUR") -> str:
    """An amount of money with cents.

    Parameters
    ----------
    value
        The amount, EUR excl. VAT unless said otherwise.
    currency
        ISO 4217 code.

    Returns
    -------
    str
        ``1 234,50 €`` in French, ``€1,234.50`` in English; ``n/a`` (``s.o.``) for NaN.
    """
    if math.isnan(value):
        return _not_a_number()
    with _half_up():
        return format_currency(_unsigned_zero(value, 2), currency, locale=_locale())


def format_share(fraction: float, decimals: int = 1) -> str:
    """A fraction as a percentage.

    Parameters
    ----------
    fraction
        The share, 0–1 (0.2 for 20 %).
    decimals
        Decimals shown; halves rounded away from zero.

    Returns
    -------
    str
        ``20,0 %`` in French, ``20.0%`` in English; ``n/a`` (``s.o.``) for NaN.
    """
    if math.isnan(fraction):
        return _not_a_number()
    locale = _locale()
    # The language's own pattern (where the sign goes, its space), with ``decimals`` decimals.
    pattern = str(locale.percent_formats[None].pattern).replace("#,##0", _digits(decimals), 1)
    with _half_up():
        shown = _unsigned_zero(fraction, decimals + 2)
        return format_percent(shown, format=pattern, locale=locale, decimal_quantization=True)


def format_signed(value: float, decimals: int = 0) -> str:
    """A number with its sign, ``+`` included: ``+1 234`` (French).

    Parameters
    ----------
    value
        The number.
    decimals
        Digits after the decimal separator.

    Returns
    -------
    str
        The number; no sign when it shows as zero.
    """
    shown = round(value, decimals)
    # Only what shows as positive gets a "+", and what shows as zero no sign: never "+0",
    # "-0" nor "+-3".
    text = format_number(value if shown else 0.0, decimals)
    return "+" + text if shown > 0 else text


def format_points(difference: float, decimals: int = 1) -> str:
    """A difference of two shares in percentage points: ``+0,4 pt`` (French).

    Parameters
    ----------
    difference
        The difference of two shares, a fraction (0.004 for 0.4 point).
    decimals
        Decimals shown; halves rounded away from zero.

    Returns
    -------
    str
        Signed percentage points; ``n/a`` when ``difference`` is not a number.
    """
    if not math.isfinite(difference):
        return gettext("n/a")
    return gettext("{points} pt").format(points=format_signed(100 * difference, decimals))


def format_alternatives(items: Sequence[str]) -> str:
    """``items`` as alternatives in the active language: ``a, b or c``, ``a, b ou c``.

    Parameters
    ----------
    items
        The alternatives, in order (at least one).

    Returns
    -------
    str
        Them joined with the language's commas and its "or" (Unicode CLDR list patterns).
    """
    return format_list(list(items), style="or", locale=_locale())


def month_name(month: int, abbreviated: bool = False) -> str:
    """Name of a calendar month in the active language.

    Parameters
    ----------
    month
        Calendar month, 1–12.
    abbreviated
        The short name.

    Returns
    -------
    str
        ``janvier``/``January``, or ``janv.``/``Jan``.
    """
    names = get_month_names("abbreviated" if abbreviated else "wide", locale=_locale())
    return str(names[month])
