"""The site's three forms as data: the hospital request, the maker sign-up and the request
status, each rendered by docs/overrides/usine/form.html in place of its marker
(markers.py). Field names are the API's dotted paths (serverless/README.md), so the
API's per-field messages land next to their inputs. The words come from the catalogs
([forms.common], [forms.<form>]); the page carries the ones its script needs, with the
API's own per-field reasons ([api.field]) for the checks made in the browser. The scripts
are docs/assets/javascripts/usine-forms.js (shared) and one per form.
"""

from __future__ import annotations

from typing import Any

from .context import SiteContext
from .lang import field_messages, form_words
from .render import html_block

ORG_TYPES = ("hospital", "clinic", "care-home", "pharmacy", "other")  # API contract
MAKER_KINDS = ("individual", "fablab", "school", "lab", "company")  # API contract
MACHINES = ("fdm", "sla", "laser", "cnc", "injection")


def _field(name: str, label: str, kind: str = "text", required: bool = True,
           options: list[tuple[str, str]] | None = None, help: str = "",
           first_option: str = "", **attrs: Any) -> dict[str, Any]:
    return {"type": "field", "name": name, "label": label, "kind": kind, "required": required,
            "options": options, "help": help, "first_option": first_option,
            "attrs": {k.replace("_", "-"): v for k, v in attrs.items()}}


def _fieldset(legend: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "fieldset", "legend": legend, "fields": list(fields)}


def _group(name: str, legend: str, add: str, remove: str, *fields: dict[str, Any],
           help: str = "") -> dict[str, Any]:
    return {"type": "group", "name": name, "legend": legend, "add": add, "remove": remove,
            "help": help, "fields": list(fields)}


def _render(kind: str, lang: str, parts: list[dict[str, Any]], submit: str,
            data: dict[str, Any] | None = None, buttons: list[tuple[str, str]] = (),
            progress: bool = False) -> str:
    w = form_words(lang, kind)
    words = {**w, **{f"field.{code}": text for code, text in field_messages(lang).items()}}
    return html_block("form.html", kind=kind, w=w, parts=parts, submit=submit, words=words,
                      data=data or {}, buttons=list(buttons), progress=progress)


def _regions(ctx: SiteContext) -> list[tuple[str, str]]:
    return [(region_id, name) for region_id, name in ctx.region_choices()]


def _registry(ctx: SiteContext, lang: str, w: dict[str, str]) -> list[dict[str, Any]]:
    """The organisation's number in the country's registry (FINESS, ICE...), optional,
    when hub.toml's [country] names a registry."""
    registry = ctx.country_rules()[1]
    if registry is None:
        return []
    return [_field("organization.registry_id",
                   w["organization_registry_id"].format(registry=registry.name(lang)),
                   required=False, help=w["example"].format(example=registry.example),
                   maxlength=32, dir="ltr")]


def request_form_html(lang: str, ctx: SiteContext) -> str:
    """The hospital request form of docs/<lang>/request.md."""
    w = form_words(lang, "request")
    parts = [
        _fieldset(w["organization"],
                  _field("organization.name", w["organization_name"], autocomplete="organization",
                         maxlength=200),
                  _field("organization.type", w["organization_type"],
                         options=[(t, w[f"type_{t}"]) for t in ORG_TYPES]),
                  *_registry(ctx, lang, w)),
        _fieldset(w["contact"],
                  _field("contact.name", w["contact_name"], autocomplete="name", maxlength=200),
                  _field("contact.email", w["contact_email"], "email", autocomplete="email",
                         dir="ltr"),
                  _field("contact.phone", w["contact_phone"], "tel", autocomplete="tel",
                         dir="ltr")),
        _fieldset(w["delivery"],
                  _field("delivery.region", w["delivery_region"], options=_regions(ctx)),
                  _field("delivery.postcode", w["delivery_postcode"],
                         help=ctx.postcode_help(lang), autocomplete="postal-code",
                         maxlength=20, dir="ltr"),
                  _field("delivery.address", w["delivery_address"], "textarea", rows=2,
                         autocomplete="street-address", maxlength=500)),
        _group("items", w["items"], w["add_item"], w["remove_item"],
               _field("items.0.design", w["item_design"], options=ctx.design_choices()),
               _field("items.0.quantity", w["item_quantity"], "number", min=1, max=100000,
                      step=1, inputmode="numeric")),
        _field("needed_by", w["needed_by"], "date"),
        _field("notes", w["notes"], "textarea", False, help=w["notes_help"], rows=3,
               maxlength=2000),
        _field("consent", w["consent"], "checkbox"),
    ]
    return _render("request", lang, parts, w["submit"])


def _variants(ctx: SiteContext) -> dict[str, list[str]]:
    return {d.slug: [str(v.get("variant")) for v in d.variants if v.get("variant")]
            for d in ctx.designs}


def maker_form_html(lang: str, ctx: SiteContext) -> str:
    """The maker sign-up form of docs/<lang>/signup.md (also its edit form: a link
    ``signup.html#id=M-...&token=...`` loads the sign-up to change or withdraw it)."""
    w = form_words(lang, "maker")
    number = {"step": 1, "inputmode": "numeric"}
    parts = [
        _fieldset(w["maker"],
                  _field("name", w["name"], autocomplete="organization", maxlength=200),
                  _field("kind", w["kind"], options=[(k, w[f"kind_{k}"]) for k in MAKER_KINDS])),
        _fieldset(w["contact"],
                  _field("contact.name", w["contact_name"], autocomplete="name", maxlength=120),
                  _field("contact.email", w["contact_email"], "email", autocomplete="email",
                         dir="ltr", maxlength=254),
                  _field("contact.phone", w["contact_phone"], "tel", False, autocomplete="tel",
                         dir="ltr", maxlength=32)),
        _fieldset(w["where"],
                  _field("region", w["region"], options=_regions(ctx)),
                  _field("postcode", w["postcode"], help=ctx.postcode_help(lang),
                         autocomplete="postal-code", maxlength=12, dir="ltr")),
        _group("machines", w["machines"], w["add_machine"], w["remove_machine"],
               _field("machines.0.technology", w["machine_technology"],
                      options=[(t, w[f"tech_{t}"]) for t in MACHINES]),
               _field("machines.0.model", w["machine_model"], maxlength=100),
               _field("machines.0.count", w["machine_count"], "number", min=1, max=1000,
                      **number),
               {"type": "triple", "name": "machines.0.build_volume_mm", "axes": "XYZ",
                "label": w["machine_volume"], "attrs": {"min": 0, "max": 5000, **number}}),
        _field("materials", w["materials"], required=False, help=w["materials_help"],
               maxlength=2000, data_list="comma"),
        _group("offers", w["offers"], w["add_offer"], w["remove_offer"],
               _field("offers.0.design", w["offer_design"], options=ctx.design_choices()),
               _field("offers.0.variant", w["offer_variant"], required=False, options=[],
                      first_option=w["any_variant"], data_optional=True),
               _field("offers.0.units_per_day", w["offer_units_per_day"], "number", min=1,
                      max=100000, **number),
               help=w["offers_help"]),
        _fieldset(w["availability"],
                  _field("availability.from", w["availability_from"], "date"),
                  _field("availability.until", w["availability_until"], "date", False)),
        _field("consent", w["consent"], "checkbox"),
        {"type": "honeypot"},
    ]
    return _render("maker", lang, parts, w["submit"], {"usine-maker-variants": _variants(ctx)},
                   [("usine-withdraw", w["withdraw"])])


def status_form_html(lang: str, ctx: SiteContext) -> str:
    """The request-status form of docs/<lang>/status.md. A tracking link
    ``status.html#ref=R-...&token=...`` fills it in and shows the request at once."""
    w = form_words(lang, "status")
    secret = {"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}
    parts = [
        _field("reference", w["reference"], help=w["reference_help"], maxlength=20, **secret),
        _field("token", w["token"], "password", help=w["token_help"], maxlength=64, **secret),
    ]
    titles = {slug: title for slug, title in ctx.design_choices()}
    return _render("status", lang, parts, w["show"], {"usine-status-designs": titles},
                   progress=True)
