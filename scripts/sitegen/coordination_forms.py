"""The maker sign-up form and the request-status form (owned by the API helper, issue 6).

Each renders the HTML that replaces its marker (`<!-- usine:maker-form -->` in
docs/<lang>/signup.md, `<!-- usine:status-form -->` in docs/<lang>/status.md; see
markers.py). Field names are the API's dotted paths (serverless/README.md), so the API's
per-field messages land next to their inputs. The client-side checks use the API's own
messages: `serverless/chalicelib/i18n.py` is read at build time and its catalogue for the
page's language is embedded as JSON (`<script type="application/json">`), so a form and
the server can never word a rule differently. The runtime is
docs/assets/javascripts/maker-form.js and request-status.js (plain JS, no third party).
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .context import SiteContext
from .formkit import esc, field, select, text_input

REPO = Path(__file__).resolve().parents[2]
I18N = REPO / "serverless" / "chalicelib" / "i18n.py"

MAKER_KINDS = ("individual", "fablab", "school", "lab", "company")  # API contract
TECHNOLOGIES = ("fdm", "sla", "laser", "cnc", "injection")
# Pages are at the root of each language's site (use_directory_urls: false).
SCRIPTS = {"maker": "assets/javascripts/maker-form.js",
           "status": "assets/javascripts/request-status.js"}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "maker": "You", "name": "Name (yours, or your fablab's, school's, company's)",
        "kind": "You are", "kind_individual": "An individual", "kind_fablab": "A fablab",
        "kind_school": "A school or university", "kind_lab": "A laboratory",
        "kind_company": "A company",
        "contact": "Contact person", "contact.name": "Full name", "contact.email": "Email",
        "contact.phone": "Phone (optional)",
        "where": "Where", "region": "Region", "postcode": "Postcode",
        "machines": "Machines", "machine.technology": "Technology", "machine.model": "Make and model",
        "machine.count": "How many", "machine.volume": "Build volume or bed (mm, optional)",
        "tech_fdm": "3D printer (FDM)", "tech_sla": "3D printer (resin)", "tech_laser": "Laser cutter",
        "tech_cnc": "CNC router", "tech_injection": "Injection moulding",
        "add_machine": "Add a machine", "remove_machine": "Remove this machine",
        "materials": "Materials in stock (optional)",
        "materials_help": "Separated by commas: PETG, PLA, PET sheet 0.5 mm…",
        "offers": "What you can make", "offer.design": "Design", "offer.variant": "Variant",
        "any_variant": "Any", "offer.units_per_day": "Units per day",
        "offers_help": "A rate you can keep up for days, not a one-off batch.",
        "add_offer": "Add a design", "remove_offer": "Remove this design",
        "availability": "When", "availability.from": "Available from",
        "availability.until": "Until (optional)",
        "consent": "I agree that the hub stores these details to coordinate production and "
                   "shares my contact only with the coordinators and the hospitals I supply.",
        "choose": "Choose…", "required": "required", "submit": "Sign up",
        "update": "Save changes", "withdraw": "Withdraw my sign-up",
        "website": "Leave this field empty",
        "noscript": "This form needs JavaScript. Without it, write to the hub's contact "
                    "address given at the bottom of the page.",
        "reference": "Request reference", "reference_help": "Like R-7K3M9Q2X.",
        "token": "Tracking code", "token_help": "Given with the reference when you sent the request.",
        "show": "Show the request",
    },
    "fr": {
        "maker": "Vous", "name": "Nom (le vôtre, ou celui du fablab, de l'école, de l'entreprise)",
        "kind": "Vous êtes", "kind_individual": "Un particulier", "kind_fablab": "Un fablab",
        "kind_school": "Un établissement d'enseignement", "kind_lab": "Un laboratoire",
        "kind_company": "Une entreprise",
        "contact": "Personne à contacter", "contact.name": "Nom et prénom",
        "contact.email": "Courriel", "contact.phone": "Téléphone (facultatif)",
        "where": "Où", "region": "Département", "postcode": "Code postal",
        "machines": "Machines", "machine.technology": "Technologie",
        "machine.model": "Marque et modèle", "machine.count": "Combien",
        "machine.volume": "Volume d'impression ou plateau (mm, facultatif)",
        "tech_fdm": "Imprimante 3D (FDM)", "tech_sla": "Imprimante 3D (résine)",
        "tech_laser": "Découpeuse laser", "tech_cnc": "Fraiseuse CNC",
        "tech_injection": "Moulage par injection",
        "add_machine": "Ajouter une machine", "remove_machine": "Retirer cette machine",
        "materials": "Matières en stock (facultatif)",
        "materials_help": "Séparées par des virgules : PETG, PLA, feuille PET 0,5 mm…",
        "offers": "Ce que vous pouvez fabriquer", "offer.design": "Modèle",
        "offer.variant": "Variante", "any_variant": "Toutes",
        "offer.units_per_day": "Pièces par jour",
        "offers_help": "Un rythme tenable plusieurs jours, pas un lot ponctuel.",
        "add_offer": "Ajouter un modèle", "remove_offer": "Retirer ce modèle",
        "availability": "Quand", "availability.from": "Disponible à partir du",
        "availability.until": "Jusqu'au (facultatif)",
        "consent": "J'accepte que le hub conserve ces informations pour coordonner la "
                   "production et ne transmette mon contact qu'aux coordinateurs et aux "
                   "établissements que je fournis.",
        "choose": "Choisir…", "required": "obligatoire", "submit": "M'inscrire",
        "update": "Enregistrer les modifications", "withdraw": "Retirer mon inscription",
        "website": "Laissez ce champ vide",
        "noscript": "Ce formulaire a besoin de JavaScript. Sans JavaScript, écrivez à "
                    "l'adresse de contact du hub indiquée en bas de la page.",
        "reference": "Référence de la demande", "reference_help": "Comme R-7K3M9Q2X.",
        "token": "Code de suivi", "token_help": "Donné avec la référence à l'envoi de la demande.",
        "show": "Afficher la demande",
    },
    "ar": {
        "maker": "أنتم", "name": "الاسم (اسمكم أو اسم المختبر أو المدرسة أو الشركة)",
        "kind": "أنتم", "kind_individual": "فرد", "kind_fablab": "مختبر تصنيع (فاب لاب)",
        "kind_school": "مدرسة أو جامعة", "kind_lab": "مختبر", "kind_company": "شركة",
        "contact": "الشخص المسؤول", "contact.name": "الاسم الكامل",
        "contact.email": "البريد الإلكتروني", "contact.phone": "الهاتف (اختياري)",
        "where": "المكان", "region": "المنطقة", "postcode": "الرمز البريدي",
        "machines": "الآلات", "machine.technology": "التقنية", "machine.model": "الصنع والطراز",
        "machine.count": "العدد", "machine.volume": "حجم الطباعة أو مساحة السطح (مم، اختياري)",
        "tech_fdm": "طابعة ثلاثية الأبعاد (FDM)", "tech_sla": "طابعة ثلاثية الأبعاد (راتنج)",
        "tech_laser": "آلة قطع بالليزر", "tech_cnc": "آلة CNC", "tech_injection": "قولبة بالحقن",
        "add_machine": "أضف آلة", "remove_machine": "احذف هذه الآلة",
        "materials": "المواد المتوفرة (اختياري)",
        "materials_help": "مفصولة بفواصل: PETG، PLA، صفائح PET 0.5 مم…",
        "offers": "ما يمكنكم صنعه", "offer.design": "التصميم", "offer.variant": "النسخة",
        "any_variant": "أي نسخة", "offer.units_per_day": "قطعة في اليوم",
        "offers_help": "وتيرة يمكنكم الحفاظ عليها لأيام، لا دفعة واحدة.",
        "add_offer": "أضف تصميماً", "remove_offer": "احذف هذا التصميم",
        "availability": "متى", "availability.from": "متاح ابتداءً من",
        "availability.until": "حتى (اختياري)",
        "consent": "أوافق على أن يحتفظ المركز بهذه المعلومات لتنسيق الإنتاج وألا يشارك "
                   "بيانات الاتصال إلا مع المنسقين والمؤسسات التي أزودها.",
        "choose": "اختر…", "required": "إلزامي", "submit": "سجّلوني",
        "update": "احفظ التعديلات", "withdraw": "اسحب تسجيلي",
        "website": "اتركوا هذا الحقل فارغاً",
        "noscript": "يحتاج هذا النموذج إلى JavaScript. من دونه، راسلوا عنوان الاتصال "
                    "الخاص بالمركز المذكور أسفل الصفحة.",
        "reference": "مرجع الطلب", "reference_help": "مثل R-7K3M9Q2X.",
        "token": "رمز المتابعة", "token_help": "أُعطي مع المرجع عند إرسال الطلب.",
        "show": "اعرض الطلب",
    },
}


def words(lang: str) -> dict[str, str]:
    return {**WORDS["en"], **WORDS.get(lang, {})}


@lru_cache(maxsize=1)
def _api_i18n() -> Any:
    """The API's message catalogue module, loaded from its file (it imports nothing of
    the API), so the site build needs neither chalice nor boto3."""
    spec = importlib.util.spec_from_file_location("usine_api_i18n", I18N)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def field_messages(lang: str) -> dict[str, str]:
    """The API's per-field reasons in ``lang`` (templates: ``{ge}``, ``{choices}``...)."""
    i18n = _api_i18n()
    return {code: texts.get(lang) or texts["en"] for code, texts in i18n.FIELD.items()}


def _json_script(element_id: str, data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _honeypot(w: dict[str, str]) -> str:
    # Off-screen, out of the tab order and of the accessibility tree: people never fill it.
    return ('<div class="usine-hp" aria-hidden="true" '
            'style="position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden">'
            f'<label for="f-website">{esc(w["website"])}</label>'
            '<input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off">'
            "</div>")


def _script(kind: str) -> str:
    return f'<script src="{SCRIPTS[kind]}" defer></script>'


def _variants(ctx: SiteContext) -> dict[str, list[str]]:
    return {d.slug: [str(v.get("variant")) for v in d.variants if v.get("variant")]
            for d in ctx.designs}


def _machine_row(w: dict[str, str]) -> str:
    f = field
    volume = "".join(
        text_input(f"machines.0.build_volume_mm.{i}", "number", False,
                   f' min="0" max="5000" step="1" inputmode="numeric" aria-label="{axis} (mm)"'
                   + (' aria-describedby="f-machines-0-build_volume_mm-error"' if i == 0 else ""))
        for i, axis in enumerate("XYZ"))
    volume_field = (f'<div class="usine-field" data-field="machines.0.build_volume_mm">'
                    f'<label for="f-machines-0-build_volume_mm-0">{esc(w["machine.volume"])}</label>'
                    f'<div class="usine-triple">{volume}</div>'
                    f'<p class="usine-error" id="f-machines-0-build_volume_mm-error" hidden></p></div>')
    return ('<div class="usine-item usine-machine" data-index="0">'
            + f("machines.0.technology", w["machine.technology"],
                select("machines.0.technology", [(t, w[f"tech_{t}"]) for t in TECHNOLOGIES],
                       True, w), True, w)
            + f("machines.0.model", w["machine.model"],
                text_input("machines.0.model", "text", True, ' maxlength="100"'), True, w)
            + f("machines.0.count", w["machine.count"],
                text_input("machines.0.count", "number", True,
                           ' min="1" max="1000" step="1" inputmode="numeric"'), True, w)
            + volume_field
            + f'<button type="button" class="md-button usine-remove-item" hidden>'
              f'{esc(w["remove_machine"])}</button></div>')


def _offer_row(w: dict[str, str], ctx: SiteContext) -> str:
    f = field
    variant = (f'<select id="f-offers-0-variant" name="offers.0.variant" data-optional>'
               f'<option value="">{esc(w["any_variant"])}</option></select>')
    return ('<div class="usine-item usine-offer" data-index="0">'
            + f("offers.0.design", w["offer.design"],
                select("offers.0.design", ctx.design_choices(), True, w), True, w)
            + f("offers.0.variant", w["offer.variant"], variant, False, w)
            + f("offers.0.units_per_day", w["offer.units_per_day"],
                text_input("offers.0.units_per_day", "number", True,
                           ' min="1" max="100000" step="1" inputmode="numeric"'), True, w)
            + f'<button type="button" class="md-button usine-remove-item" hidden>'
              f'{esc(w["remove_offer"])}</button></div>')


def _group(kind: str, legend: str, row: str, add: str, help_text: str = "") -> str:
    help_html = f'<p class="usine-help">{esc(help_text)}</p>' if help_text else ""
    return (f'<fieldset data-group="{kind}"><legend>{esc(legend)}</legend>{help_html}'
            f'<div class="usine-items" data-group="{kind}">{row}</div>'
            f'<p class="usine-error" id="f-{kind}-error" hidden></p>'
            f'<button type="button" class="md-button usine-add-item" data-group="{kind}">'
            f"{esc(add)}</button></fieldset>")


def maker_form_html(lang: str, ctx: SiteContext) -> str:
    """The maker sign-up form of docs/<lang>/signup.md (also its edit form: a link
    ``signup.html#id=M-...&token=...`` loads the sign-up to change or withdraw it)."""
    w = words(lang)
    f = field
    you = "".join([
        f("name", w["name"], text_input("name", "text", True,
                                        ' autocomplete="organization" maxlength="200"'), True, w),
        f("kind", w["kind"], select("kind", [(k, w[f"kind_{k}"]) for k in MAKER_KINDS], True, w),
          True, w),
    ])
    contact = "".join([
        f("contact.name", w["contact.name"],
          text_input("contact.name", "text", True, ' autocomplete="name" maxlength="120"'), True, w),
        f("contact.email", w["contact.email"],
          text_input("contact.email", "email", True, ' autocomplete="email" dir="ltr" maxlength="254"'),
          True, w),
        f("contact.phone", w["contact.phone"],
          text_input("contact.phone", "tel", False, ' autocomplete="tel" dir="ltr" maxlength="32"'),
          False, w),
    ])
    where = "".join([
        f("region", w["region"], select("region", [(r, r) for r in ctx.regions], True, w), True, w),
        f("postcode", w["postcode"],
          text_input("postcode", "text", True, ' autocomplete="postal-code" maxlength="12" dir="ltr"'),
          True, w),
    ])
    when = "".join([
        f("availability.from", w["availability.from"],
          text_input("availability.from", "date", True), True, w),
        f("availability.until", w["availability.until"],
          text_input("availability.until", "date", False), False, w),
    ])
    materials = f("materials", w["materials"],
                  text_input("materials", "text", False,
                             ' maxlength="2000" data-list="comma" aria-describedby="f-materials-help"'),
                  False, w, w["materials_help"])
    consent = ('<div class="usine-field usine-consent" data-field="consent">'
               '<input id="f-consent" name="consent" type="checkbox" value="true" required>'
               f'<label for="f-consent">{esc(w["consent"])}</label>'
               '<p class="usine-error" id="f-consent-error" hidden></p></div>')
    labels = {"submit": w["submit"], "update": w["update"]}
    return "\n".join([
        f'<noscript><p class="usine-noscript">{esc(w["noscript"])}</p></noscript>',
        '<form method="post" id="usine-maker-form" class="usine-form" data-usine-form="maker" novalidate>',
        _json_script("usine-maker-messages", field_messages(lang)),
        _json_script("usine-maker-variants", _variants(ctx)),
        _json_script("usine-maker-labels", labels),
        f'<fieldset><legend>{esc(w["maker"])}</legend>{you}</fieldset>',
        f'<fieldset><legend>{esc(w["contact"])}</legend>{contact}</fieldset>',
        f'<fieldset><legend>{esc(w["where"])}</legend>{where}</fieldset>',
        _group("machines", w["machines"], _machine_row(w), w["add_machine"]),
        materials,
        _group("offers", w["offers"], _offer_row(w, ctx), w["add_offer"], w["offers_help"]),
        f'<fieldset><legend>{esc(w["availability"])}</legend>{when}</fieldset>',
        consent,
        _honeypot(w),
        '<p class="usine-general-error" role="alert" hidden></p>',
        f'<button type="submit" class="md-button md-button--primary" disabled>{esc(w["submit"])}</button>',
        f'<button type="button" class="md-button usine-withdraw" hidden>{esc(w["withdraw"])}</button>',
        '<div class="usine-status" role="status" aria-live="polite"></div>',
        "</form>",
        _script("maker"),
    ]) + "\n"


def status_form_html(lang: str, ctx: SiteContext) -> str:
    """The request-status form of docs/<lang>/status.md. A tracking link
    ``status.html#ref=R-...&token=...`` fills it in and shows the request at once."""
    w = words(lang)
    f = field
    design_titles = {slug: title for slug, title in ctx.design_choices()}
    return "\n".join([
        f'<noscript><p class="usine-noscript">{esc(w["noscript"])}</p></noscript>',
        '<form method="post" id="usine-status-form" class="usine-form" data-usine-form="status" novalidate>',
        _json_script("usine-status-designs", design_titles),
        f("reference", w["reference"],
          text_input("reference", "text", True,
                     ' maxlength="20" autocomplete="off" dir="ltr" spellcheck="false"'
                     ' aria-describedby="f-reference-help"'), True, w, w["reference_help"]),
        f("token", w["token"],
          text_input("token", "password", True,
                     ' maxlength="64" autocomplete="off" dir="ltr" spellcheck="false"'
                     ' aria-describedby="f-token-help"'), True, w, w["token_help"]),
        '<p class="usine-general-error" role="alert" hidden></p>',
        f'<button type="submit" class="md-button md-button--primary" disabled>{esc(w["show"])}</button>',
        '<div class="usine-status usine-progress" role="status" aria-live="polite"></div>',
        "</form>",
        _script("status"),
    ]) + "\n"
