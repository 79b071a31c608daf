"""The hospital request form: labels per language and its HTML (field names follow the
API contract; the runtime messages live in docs/assets/javascripts/request-form.js)."""

from __future__ import annotations

from .formkit import esc, field, select, text_input
from .words import FALLBACK_LANG

SCRIPT = "assets/javascripts/request-form.js"
ORG_TYPES = ("hospital", "clinic", "care-home", "pharmacy", "other")  # API contract

FORM: dict[str, dict[str, str]] = {
    "en": {
        "organization": "Your organization", "organization.name": "Name of the organization",
        "organization.type": "Type of organization",
        "type_hospital": "Hospital", "type_clinic": "Clinic", "type_care-home": "Care home",
        "type_pharmacy": "Pharmacy", "type_other": "Other",
        "contact": "Contact person", "contact.name": "Full name", "contact.email": "Email",
        "contact.phone": "Phone",
        "delivery": "Delivery", "delivery.region": "Region", "delivery.postcode": "Postcode",
        "delivery.address": "Delivery address",
        "items": "Parts requested", "item.design": "Design", "item.quantity": "Quantity",
        "add_item": "Add another part", "remove_item": "Remove this part",
        "needed_by": "Needed by", "notes": "Notes (optional)",
        "notes_help": "Sizes, delivery constraints, who to ask for at the door.",
        "consent": "I agree that the hub stores these details to handle this request and "
                   "shares them only with the makers and coordinators who serve it.",
        "choose": "Choose…", "required": "required", "submit": "Send the request",
        "noscript": "This form needs JavaScript. Without it, write to the hub's contact "
                    "address given at the bottom of the page.",
    },
    "fr": {
        "organization": "Votre établissement", "organization.name": "Nom de l'établissement",
        "organization.type": "Type d'établissement",
        "type_hospital": "Hôpital", "type_clinic": "Clinique", "type_care-home": "EHPAD",
        "type_pharmacy": "Pharmacie", "type_other": "Autre",
        "contact": "Personne à contacter", "contact.name": "Nom et prénom",
        "contact.email": "Courriel", "contact.phone": "Téléphone",
        "delivery": "Livraison", "delivery.region": "Département",
        "delivery.postcode": "Code postal", "delivery.address": "Adresse de livraison",
        "items": "Pièces demandées", "item.design": "Modèle", "item.quantity": "Quantité",
        "add_item": "Ajouter une autre pièce", "remove_item": "Retirer cette pièce",
        "needed_by": "Date limite", "notes": "Remarques (facultatif)",
        "notes_help": "Tailles, contraintes de livraison, qui demander à l'accueil.",
        "consent": "J'accepte que le hub conserve ces informations pour traiter cette demande "
                   "et ne les partage qu'avec les makers et coordinateurs qui la traitent.",
        "choose": "Choisir…", "required": "obligatoire", "submit": "Envoyer la demande",
        "noscript": "Ce formulaire a besoin de JavaScript. Sans JavaScript, écrivez à "
                    "l'adresse de contact du hub indiquée en bas de la page.",
    },
    "ar": {
        "organization": "مؤسستكم", "organization.name": "اسم المؤسسة",
        "organization.type": "نوع المؤسسة",
        "type_hospital": "مستشفى", "type_clinic": "مصحة", "type_care-home": "دار رعاية",
        "type_pharmacy": "صيدلية", "type_other": "أخرى",
        "contact": "الشخص المسؤول عن الطلب", "contact.name": "الاسم الكامل",
        "contact.email": "البريد الإلكتروني", "contact.phone": "الهاتف",
        "delivery": "التسليم", "delivery.region": "المنطقة",
        "delivery.postcode": "الرمز البريدي", "delivery.address": "عنوان التسليم",
        "items": "القطع المطلوبة", "item.design": "التصميم", "item.quantity": "الكمية",
        "add_item": "أضف قطعة أخرى", "remove_item": "احذف هذه القطعة",
        "needed_by": "مطلوب قبل", "notes": "ملاحظات (اختياري)",
        "notes_help": "المقاسات، قيود التسليم، من يُسأل عنه عند الباب.",
        "consent": "أوافق على أن يحتفظ المركز بهذه المعلومات لمعالجة هذا الطلب وألا "
                   "يشاركها إلا مع الصانعين والمنسقين الذين يتولونه.",
        "choose": "اختر…", "required": "إلزامي", "submit": "أرسل الطلب",
        "noscript": "يحتاج هذا النموذج إلى JavaScript. من دونه، راسلوا عنوان الاتصال "
                    "الخاص بالمركز المذكور أسفل الصفحة.",
    },
}



def form_words(lang: str) -> dict[str, str]:
    return {**FORM[FALLBACK_LANG], **FORM.get(lang, {})}



def request_form_html(lang: str, regions: list[str], designs: list[tuple[str, str]]) -> str:
    """The hospital request form. Field names are the API's dotted paths (contracts.md),
    so the API's per-field messages land next to the right input. `designs` is a list of
    (slug, title). The JS (request-form.js) posts it as JSON and adds item lines."""
    w = form_words(lang)
    f = field
    org = "".join([
        f("organization.name", w["organization.name"],
          text_input("organization.name", "text", True, ' autocomplete="organization" maxlength="200"'),
          True, w),
        f("organization.type", w["organization.type"],
          select("organization.type", [(t, w[f"type_{t}"]) for t in ORG_TYPES], True, w),
          True, w),
    ])
    contact = "".join([
        f("contact.name", w["contact.name"],
          text_input("contact.name", "text", True, ' autocomplete="name" maxlength="200"'), True, w),
        f("contact.email", w["contact.email"],
          text_input("contact.email", "email", True, ' autocomplete="email" dir="ltr"'), True, w),
        f("contact.phone", w["contact.phone"],
          text_input("contact.phone", "tel", True, ' autocomplete="tel" dir="ltr"'), True, w),
    ])
    delivery = "".join([
        f("delivery.region", w["delivery.region"],
          select("delivery.region", [(r, r) for r in regions], True, w), True, w),
        f("delivery.postcode", w["delivery.postcode"],
          text_input("delivery.postcode", "text", True,
                 ' autocomplete="postal-code" maxlength="20" dir="ltr"'), True, w),
        f("delivery.address", w["delivery.address"],
          '<textarea id="f-delivery-address" name="delivery.address" rows="2" required '
          'autocomplete="street-address" maxlength="500"></textarea>', True, w),
    ])
    item = ('<div class="usine-item" data-index="0">'
            + f("items.0.design", w["item.design"],
                select("items.0.design", list(designs), True, w), True, w)
            + f("items.0.quantity", w["item.quantity"],
                text_input("items.0.quantity", "number", True,
                       ' min="1" max="100000" step="1" inputmode="numeric"'), True, w)
            + f'<button type="button" class="md-button usine-remove-item" hidden>'
              f'{esc(w["remove_item"])}</button>'
            + "</div>")
    items = (f'<div class="usine-items">{item}</div>'
             '<p class="usine-error" id="f-items-error" hidden></p>'
             f'<button type="button" class="md-button usine-add-item">{esc(w["add_item"])}'
             f"</button>")
    rest = "".join([
        f("needed_by", w["needed_by"], text_input("needed_by", "date", True), True, w),
        f("notes", w["notes"],
          '<textarea id="f-notes" name="notes" rows="3" maxlength="2000" '
          'aria-describedby="f-notes-help"></textarea>', False, w, w["notes_help"]),
        '<div class="usine-field usine-consent" data-field="consent">'
        '<input id="f-consent" name="consent" type="checkbox" value="true" required>'
        f'<label for="f-consent">{esc(w["consent"])}</label>'
        '<p class="usine-error" id="f-consent-error" hidden></p></div>',
    ])
    return "\n".join([
        f'<noscript><p class="usine-noscript">{esc(w["noscript"])}</p></noscript>',
        '<form method="post" id="usine-request-form" class="usine-form" data-usine-form="request">',
        f'<fieldset><legend>{esc(w["organization"])}</legend>{org}</fieldset>',
        f'<fieldset><legend>{esc(w["contact"])}</legend>{contact}</fieldset>',
        f'<fieldset><legend>{esc(w["delivery"])}</legend>{delivery}</fieldset>',
        f'<fieldset><legend>{esc(w["items"])}</legend>{items}</fieldset>',
        rest,
        '<p class="usine-general-error" role="alert" hidden></p>',
        f'<button type="submit" class="md-button md-button--primary" disabled>{esc(w["submit"])}</button>',
        '<div class="usine-status" role="status" aria-live="polite"></div>',
        "</form>",
        # Loaded by the pages holding the form only (a page at the site's root).
        f'<script src="{SCRIPT}" defer></script>',
    ]) + "\n"

