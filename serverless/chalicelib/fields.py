"""Field types shared by the bodies, and the hub-dependent checks (regions, designs, dates).

Rules that depend on the hub (regions from hub.toml, published designs and variants from
the build manifest, today's date) are checked against a :class:`RequestContext` passed as
pydantic's validation ``context``. Every message is plain words, names a reason code of
:mod:`.i18n` and never repeats a personal value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Mapping

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints,
    ValidationInfo, WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .config import Rule
from .i18n import Word

MAX_DAYS_AHEAD = 366  # a date more than a year away is a typo, not an emergency


@dataclass(frozen=True)
class RequestContext:
    """What validation needs from the hub: regions (their ids), designs (and variants),
    today, and the country's rules (hub.toml: ``[hub] country`` reads phone numbers
    written without +; ``[country] postcode`` and ``registry``, generic shapes without)."""

    regions: tuple[str, ...]
    designs: tuple[str, ...]
    today: date
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    country: str | None = None
    postcode: Rule | None = None
    registry: Rule | None = None

    @staticmethod
    def earliest_today(now: datetime | None = None) -> date:
        """The earliest calendar date anywhere on Earth right now (UTC-12).

        A requester late in the evening west of UTC must still be able to ask for "today".
        """
        now = now or datetime.now(timezone.utc)
        return (now.astimezone(timezone.utc) - timedelta(hours=12)).date()


def rules_of(info: ValidationInfo) -> RequestContext | None:
    """The hub's context when validation has one (a body), else None: a field validated
    alone (``TypeAdapter``) follows the generic rules."""
    return info.context if isinstance(info.context, RequestContext) else None


def context_of(info: ValidationInfo) -> RequestContext:
    ctx = info.context
    if not isinstance(ctx, RequestContext):
        # A programming error, not bad input: RuntimeError is not turned into a 400.
        raise RuntimeError("validate bodies with a RequestContext (parse_request, parse_maker)")
    return ctx


# ------------------------------------------------------------------ text
#
# Every text rule is written once as a regular expression that both Python's ``re`` and
# JSON Schema (ECMA 262) read the same way (only ``\uXXXX`` escapes, classes, groups and
# bounded repetition), so the OpenAPI document states exactly what the server accepts.
# The server trims surrounding white space (pydantic's ``strip_whitespace``: the Unicode
# White_Space characters below), so every pattern allows that padding and constrains what
# is inside it; lengths (``maxLength``) count the value as sent, padding included.

#: What ``strip_whitespace`` removes (Unicode White_Space; tests/api check every code point).
WHITESPACE = (r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
              r"\u205f\u3000")
#: Control characters refused in one-line text (C0 and DEL).
CONTROL = r"\u0000-\u001f\u007f"
#: Control characters refused in multi-line text (tab, line feed, carriage return allowed).
CONTROL_TEXT = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f"
_PAD = f"[{WHITESPACE}]*"
# Lone surrogates (JSON "\ud800") are not text and cannot be stored: refused as controls.
# JSON Schema cannot name them (a pattern sees UTF-16 units), so they are not in it.
_SURROGATE = "\ud800-\udfff"


def _padded(core: str) -> str:
    """The JSON Schema pattern of a trimmed value: ``core`` between optional white space."""
    return f"^{_PAD}(?:{core}){_PAD}$"


def _text_core(control: str, min_length: int) -> str:
    edge = f"[^{WHITESPACE}{control}]"
    core = f"{edge}(?:[^{control}]*{edge})?"
    return core if min_length else f"(?:{core})?"


def line_pattern(min_length: int = 1) -> str:
    """One line of text, not blank (``min_length`` 1) or possibly blank (0)."""
    return _padded(_text_core(CONTROL, min_length))


def text_pattern(min_length: int = 1) -> str:
    """Multi-line text: tab and line breaks allowed, no other control character."""
    return _padded(_text_core(CONTROL_TEXT, min_length))


_EMAIL_PART = f"[^{WHITESPACE}{CONTROL}@<>(),;:\"\\[\\]\\\\.]+"
EMAIL_CORE = f"[^{WHITESPACE}{CONTROL}@<>(),;:\"\\[\\]\\\\]+@{_EMAIL_PART}(?:\\.{_EMAIL_PART})+"
_PHONE_SEPARATORS = r"[ ().\-/]*"
PHONE_CORE = rf"\+?{_PHONE_SEPARATORS}(?:[0-9]{_PHONE_SEPARATORS}){{6,20}}"
POSTCODE_CORE = r"[A-Za-z0-9](?:[A-Za-z0-9 \-]*[A-Za-z0-9\-])?"
REGISTRY_ID_CORE = r"[A-Za-z0-9][A-Za-z0-9 \-]*[A-Za-z0-9\-]"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_CONTROL = re.compile(f"[{CONTROL_TEXT}{_SURROGATE}]")
_CONTROL_OR_NEWLINE = re.compile(f"[{CONTROL}{_SURROGATE}]")


def _single_line(value: str) -> str:
    if _CONTROL_OR_NEWLINE.search(value):
        raise PydanticCustomError("single_line", "must be one line of text")
    return value


def _multi_line(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value.replace("\r\n", "\n")


def _as_sent(max_length: int) -> BeforeValidator:
    """Refuse a text longer than ``max_length`` as sent (before trimming): the schema's
    ``maxLength`` counts the value as it is in the body."""
    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > max_length:
            raise PydanticCustomError("string_too_long", "must be at most {max_length} characters",
                                      {"max_length": max_length})
        return value
    return BeforeValidator(check)


def _schema(pattern: str, max_length: int, min_length: int = 1, **extra: Any) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string"}
    if min_length:
        schema["minLength"] = min_length
    schema.update(maxLength=max_length, pattern=pattern, **extra)
    return WithJsonSchema(schema)


def _trimmed(max_length: int, min_length: int, check: Any, pattern: str) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        _as_sent(max_length),
        AfterValidator(check),
        _schema(pattern, max_length, min_length),
    ]


def Line(max_length: int, min_length: int = 1) -> Any:  # noqa: N802 (a type factory)
    """A trimmed one-line text of bounded length."""
    return _trimmed(max_length, min_length, _single_line, line_pattern(min_length))


def Text(max_length: int, min_length: int = 1) -> Any:  # noqa: N802
    """A trimmed multi-line text of bounded length."""
    return _trimmed(max_length, min_length, _multi_line, text_pattern(min_length))


_EMAIL = re.compile(EMAIL_CORE)


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email", "must be an email address like name@example.org")
    return value


_PHONE = re.compile(PHONE_CORE)


def phone_example(country: str | None) -> str:
    """A number of the hub's country as its people write it (``01 23 45 67 89``), or an
    international one without a country."""
    import phonenumbers

    number = phonenumbers.example_number(country) if country else None
    if number is None:  # no country: a number with + and its country's code
        return phonenumbers.format_number(phonenumbers.example_number("GB"),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def e164(value: str, country: str | None) -> str | None:
    """``"02 31 06 31 06"`` (country FR) -> ``"+33231063106"``; None when it is not a
    valid number (of ``country`` when written without +, of any country with +)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(value: str, info: ValidationInfo) -> str:
    """A valid phone number (the ``phonenumbers`` library), stored in E.164."""
    rules = rules_of(info)
    country = rules.country if rules else None
    number = e164(value, country) if _PHONE.fullmatch(value) else None
    if number is None:
        raise PydanticCustomError("phone", "must be a valid phone number, like {example}",
                                  {"example": phone_example(country)})
    return number


_POSTCODE = re.compile(POSTCODE_CORE)


def _postcode(value: str, info: ValidationInfo) -> str:
    rules = rules_of(info)
    rule = rules.postcode if rules else None
    if rule is not None:
        if not rule.matches(value):
            raise PydanticCustomError("postcode_example", "must be a postcode like {example}",
                                      {"example": rule.example})
    elif not _POSTCODE.fullmatch(value):
        raise PydanticCustomError("postcode", "must be a postcode: letters, digits, spaces, -")
    return value


_REGISTRY_ID = re.compile(REGISTRY_ID_CORE)


def _registry_id(value: str, info: ValidationInfo) -> str:
    rules = rules_of(info)
    rule = rules.registry if rules else None
    if rule is not None:
        if not rule.matches(value):
            raise PydanticCustomError(
                "registry_id_example", "must be a {registry} number like {example}",
                {"registry": dict(rule.names), "example": rule.example})
    elif not _REGISTRY_ID.fullmatch(value):
        raise PydanticCustomError(
            "registry_id", "must be a registry number: 2 to 32 letters, digits, spaces, -"
        )
    return value


_ISO_DATE = re.compile(DATE_PATTERN[1:-1])


def _iso_date(value: Any) -> Any:
    """``YYYY-MM-DD`` exactly (ASCII digits, no white space), a real calendar date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "is not a real calendar date") from None


def _coded(max_length: int, min_length: int, check: Any, core: str, description: str) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        _as_sent(max_length),
        AfterValidator(check),
        _schema(_padded(core), max_length, min_length, description=description),
    ]


Email = _coded(254, 1, _email, EMAIL_CORE,
               "An e-mail address: one @, a domain with a dot, no white space or "
               "control character inside; surrounding white space is trimmed.")
#: What the document says of a phone number. Its validity (libphonenumber's metadata of
#: every country) is no regular expression: the document names the format, "phone", and
#: says the rule in words; the server checks the shape (PHONE_CORE) and then the number.
PHONE_DESCRIPTION = (
    "A phone number that libphonenumber holds valid: written with + and the country code "
    "(+33 2 31 06 31 06), or as the hub's country writes it (hub.toml [hub] country) "
    "without; digits with spaces and ( ) - . / between them, 6 to 20 digits. Stored and "
    "answered in E.164 (+33231063106); surrounding white space is trimmed.")
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    _as_sent(32),
    AfterValidator(_phone),
    WithJsonSchema({"type": "string", "format": "phone", "minLength": 1, "maxLength": 32,
                    "description": PHONE_DESCRIPTION}),
]
Postcode = _coded(12, 1, _postcode, POSTCODE_CORE,
                  "A postcode of the shape hub.toml's [country] postcode gives; without one, "
                  "letters, digits, spaces and -, starting with a letter or a digit; "
                  "surrounding white space is trimmed.")
RegistryId = _coded(32, 1, _registry_id, REGISTRY_ID_CORE,
                    "A number in the registry of organizations named in hub.toml ([country] "
                    "registry), of the shape it gives; without one, 2 to 32 letters, digits, "
                    "spaces and -, starting with a letter or a digit; surrounding white "
                    "space is trimmed.")
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


def _integral(value: Any) -> Any:
    # JSON Schema's "integer" is any number with a zero fractional part: 2.0 (or 2e0) is 2.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def WholeNumber(minimum: int, maximum: int) -> Any:  # noqa: N802 (a type factory)
    """A JSON integer from ``minimum`` to ``maximum``: ``2.0`` counts as 2 (as in JSON
    Schema); a fraction, a string or a boolean is refused."""
    return Annotated[int, Field(strict=True, ge=minimum, le=maximum), BeforeValidator(_integral)]


OrgName = Line(200)
PersonName = Line(120)
RegionName = Line(100)
DesignSlug = Line(64)
VariantName = Line(64)
Address = Text(500)
Notes = Text(2000, min_length=0)


class Model(BaseModel):
    """Base of every body: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ------------------------------------------------------------------ hub checks


def check_region(value: str, info: ValidationInfo) -> str:
    """A region of hub.toml, matched without case; returns the hub's spelling."""
    regions = context_of(info).regions
    for region in regions:
        if region.casefold() == value.casefold():
            return region
    raise PydanticCustomError(
        "region", "is not a region of this hub: choose one of {choices}",
        {"choices": ", ".join(regions)},
    )


def check_design(value: str, info: ValidationInfo) -> str:
    designs = context_of(info).designs
    if value not in designs:
        raise PydanticCustomError(
            "design", "is not a published design: choose one of {choices}",
            {"choices": ", ".join(designs) or Word("api.field.none_published")},
        )
    return value


def check_variant(value: str | None, info: ValidationInfo) -> str | None:
    """A variant of the line's design (validated before it); None stays None."""
    if value is None:
        return None
    design = info.data.get("design")
    if design is None:  # the design itself is wrong: that error is enough
        return value
    variants = context_of(info).variants.get(design, ())
    if value not in variants:
        raise PydanticCustomError(
            "variant", "is not a variant of this design: choose one of {choices}",
            {"choices": ", ".join(variants) or Word("api.field.none")},
        )
    return value


def check_future_date(value: date, info: ValidationInfo) -> date:
    today = context_of(info).today
    if value < today:
        raise PydanticCustomError("date_past", "must not be in the past")
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        raise PydanticCustomError("date_far", "must be within a year from today")
    return value


def check_consent(value: Any) -> Any:
    if value is not True:
        raise PydanticCustomError(
            "consent", "must be true: the hub needs your agreement to store your contact"
        )
    return value


def merge_lines(amount: str) -> Any:
    """A list validator adding up the lines that name the same (design, variant).

    ``amount`` is the field summed (``quantity``, ``units_per_day``); the first line's
    position is kept. A line without a variant (any variant) is its own key. Each line's
    amount is bounded; a merged total may exceed that bound.
    """
    def merge(lines: list[Any]) -> list[Any]:
        totals: dict[tuple[str, str | None], Any] = {}
        for line in lines:
            key = (line.design, line.variant)
            if key in totals:
                first = totals[key]
                totals[key] = first.model_copy(
                    update={amount: getattr(first, amount) + getattr(line, amount)})
            else:
                totals[key] = line
        return list(totals.values())
    return merge
