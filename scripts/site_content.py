"""What the site says: pure functions that turn the hub's data into Markdown, HTML and JS.

`gen_pages.py` (run by mkdocs-gen-files during each language's build) only reads files
and writes what these functions return, so tests check the content without MkDocs.

Inputs:
- hub.toml (`load_hub`), the build manifest (`load_manifest`, written by
  `python -m cad build`), and `designs/<slug>/design.toml` + `instructions.<lang>.md`
  (`load_design`);
- the language being built (each language is its own MkDocs build, see build_site.py).

Download files keep the manifest's paths under `downloads/` in each language's site:
`downloads/<slug>/<variant>.<ext>`; design pages are `designs/<slug>.md`.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

FALLBACK_LANG = "en"
DOWNLOADS_DIR = "downloads"
CATALOG_PAGE = "designs/index.md"
FORM_MARKER = "<!-- usine:request-form -->"
FILE_KINDS = ("stl", "glb", "svg", "step", "dxf")  # download order on a design page
ORG_TYPES = ("hospital", "clinic", "care-home", "pharmacy", "other")  # API contract
STATUSES = ("prototype", "community", "clinical", "warning")  # NIH 3D Print Exchange


class SiteError(RuntimeError):
    """Input the site cannot be built from; the message says what to do."""


# ----------------------------------------------------------------------------- strings
# Words of the generated pages and the form, per language. A language missing here (a
# fork adding "es") gets English words; hand-written pages are translated in docs/<lang>/.

UI: dict[str, dict[str, str]] = {
    "en": {
        "catalog": "Designs", "home": "Home",
        "catalog_intro": "Every design below is built from its parametric source into files "
                         "for printers and laser cutters. Open a design for its variants, "
                         "drawing, instructions and downloads.",
        "col_design": "Design", "col_summary": "Summary", "col_technology": "Technology",
        "col_status": "Review status", "col_variants": "Variants",
        "no_designs": "No design is published yet.",
        "review_status": "Review status",
        "not_certified": "Not certified for",
        "technology": "Technology", "version": "Version", "licence": "Licence",
        "variants": "Variants", "variant": "Variant", "size_mm": "Size (mm)",
        "checks": "Checks", "checks_ok": "passed", "checks_failed": "FAILED",
        "parameters": "Parameters", "parameter": "Parameter", "value": "Value",
        "allowed": "Allowed", "description": "Description", "from_to": "{min} to {max}",
        "at_least": "≥ {min}", "at_most": "≤ {max}",
        "drawing": "Drawing", "drawing_alt": "Drawing of variant {variant}",
        "drawing_note": "Drawing of variant {variant}. Every variant's drawing is in the downloads.",
        "bom": "Bill of materials", "quantity": "Quantity", "unit": "Unit", "item": "Item",
        "instructions": "Instructions", "no_instructions": "No instructions yet.",
        "downloads": "Downloads", "file": "File", "format": "Format", "size": "Size",
        "sha256": "SHA-256",
        "checksums_note": "Check a download with `sha256sum -c SHA256SUMS` using the "
                          "[checksum file]({href}).",
        "untranslated": "Not translated yet",
        "untranslated_body": "This text is not translated into this language yet; it is "
                             "shown in English.",
        "kind_stl": "STL (3D printer)", "kind_glb": "GLB (3D preview)",
        "kind_svg": "SVG (drawing)", "kind_step": "STEP (CAD, to edit)",
        "kind_dxf": "DXF (laser cutter)",
        "tech_fdm": "3D printing (FDM)", "tech_laser": "Laser cutting",
        "status_prototype": "Prototype",
        "status_prototype_help": "Not reviewed. Shared so that makers can test and improve "
                                 "it; not for use on patients.",
        "status_community": "Community use",
        "status_community_help": "Tested by the community for fit and reliability, for uses "
                                 "without patient contact.",
        "status_clinical": "Clinical use",
        "status_clinical_help": "Evaluated in a clinical setting; valid only with the printer "
                                "types and materials specified.",
        "status_warning": "Warning",
        "status_warning_help": "Needs regulatory approval or carries a risk: read the notice "
                               "below before making or using it.",
        "units": "B kB MB GB", "decimal": ".",
    },
    "fr": {
        "catalog": "Modèles", "home": "Accueil",
        "catalog_intro": "Chaque modèle ci-dessous est construit à partir de sa source "
                         "paramétrique en fichiers pour imprimantes et découpeuses laser. "
                         "Ouvrez un modèle pour ses variantes, son plan, ses instructions "
                         "et ses téléchargements.",
        "col_design": "Modèle", "col_summary": "Résumé", "col_technology": "Technique",
        "col_status": "Statut de revue", "col_variants": "Variantes",
        "no_designs": "Aucun modèle n'est encore publié.",
        "review_status": "Statut de revue",
        "not_certified": "Non certifié pour",
        "technology": "Technique", "version": "Version", "licence": "Licence",
        "variants": "Variantes", "variant": "Variante", "size_mm": "Dimensions (mm)",
        "checks": "Contrôles", "checks_ok": "réussis", "checks_failed": "ÉCHEC",
        "parameters": "Paramètres", "parameter": "Paramètre", "value": "Valeur",
        "allowed": "Valeurs permises", "description": "Description",
        "from_to": "de {min} à {max}", "at_least": "≥ {min}", "at_most": "≤ {max}",
        "drawing": "Plan", "drawing_alt": "Plan de la variante {variant}",
        "drawing_note": "Plan de la variante {variant}. Les plans de toutes les variantes "
                        "sont dans les téléchargements.",
        "bom": "Nomenclature", "quantity": "Quantité", "unit": "Unité", "item": "Article",
        "instructions": "Instructions", "no_instructions": "Pas encore d'instructions.",
        "downloads": "Téléchargements", "file": "Fichier", "format": "Format",
        "size": "Taille", "sha256": "SHA-256",
        "checksums_note": "Vérifiez un téléchargement avec `sha256sum -c SHA256SUMS` grâce "
                          "au [fichier des empreintes]({href}).",
        "untranslated": "Pas encore traduit",
        "untranslated_body": "Ce texte n'existe pas encore en français ; il est affiché en "
                             "anglais.",
        "kind_stl": "STL (imprimante 3D)", "kind_glb": "GLB (aperçu 3D)",
        "kind_svg": "SVG (plan)", "kind_step": "STEP (CAO, pour modifier)",
        "kind_dxf": "DXF (découpe laser)",
        "tech_fdm": "Impression 3D (FDM)", "tech_laser": "Découpe laser",
        "status_prototype": "Prototype",
        "status_prototype_help": "Non évalué. Partagé pour que les makers le testent et "
                                 "l'améliorent ; pas pour un usage sur des patients.",
        "status_community": "Usage communautaire",
        "status_community_help": "Testé par la communauté pour l'ajustement et la fiabilité, "
                                 "pour des usages sans contact avec les patients.",
        "status_clinical": "Usage clinique",
        "status_clinical_help": "Évalué en milieu clinique ; valable seulement avec les "
                                "types d'imprimantes et les matériaux indiqués.",
        "status_warning": "Avertissement",
        "status_warning_help": "Nécessite une autorisation réglementaire ou présente un "
                               "risque : lisez l'avis ci-dessous avant de le fabriquer ou "
                               "de l'utiliser.",
        "units": "o ko Mo Go", "decimal": ",",
    },
    "ar": {
        "catalog": "التصاميم", "home": "الرئيسية",
        "catalog_intro": "كل تصميم أدناه يُبنى من مصدره البارامتري إلى ملفات للطابعات "
                         "ثلاثية الأبعاد وآلات القطع بالليزر. افتح التصميم لترى متغيراته "
                         "ورسمه وتعليماته وملفات التنزيل.",
        "col_design": "التصميم", "col_summary": "الملخص", "col_technology": "التقنية",
        "col_status": "حالة المراجعة", "col_variants": "المتغيرات",
        "no_designs": "لم يُنشر أي تصميم بعد.",
        "review_status": "حالة المراجعة",
        "not_certified": "غير معتمد من أجل",
        "technology": "التقنية", "version": "الإصدار", "licence": "الرخصة",
        "variants": "المتغيرات", "variant": "المتغير", "size_mm": "الأبعاد (مم)",
        "checks": "الفحوص", "checks_ok": "ناجحة", "checks_failed": "فاشلة",
        "parameters": "المعاملات", "parameter": "المعامل", "value": "القيمة",
        "allowed": "القيم المسموح بها", "description": "الوصف",
        "from_to": "من {min} إلى {max}", "at_least": "≥ {min}", "at_most": "≤ {max}",
        "drawing": "الرسم", "drawing_alt": "رسم المتغير {variant}",
        "drawing_note": "رسم المتغير {variant}. رسوم كل المتغيرات موجودة في ملفات التنزيل.",
        "bom": "قائمة المواد", "quantity": "الكمية", "unit": "الوحدة", "item": "المادة",
        "instructions": "التعليمات", "no_instructions": "لا توجد تعليمات بعد.",
        "downloads": "التنزيلات", "file": "الملف", "format": "الصيغة", "size": "الحجم",
        "sha256": "SHA-256",
        "checksums_note": "تحقّق من الملف المنزَّل بالأمر `sha256sum -c SHA256SUMS` "
                          "باستعمال [ملف البصمات]({href}).",
        "untranslated": "لم يُترجم بعد",
        "untranslated_body": "هذا النص غير متوفر بالعربية بعد؛ وهو معروض بالإنجليزية.",
        "kind_stl": "STL (طابعة ثلاثية الأبعاد)", "kind_glb": "GLB (معاينة ثلاثية الأبعاد)",
        "kind_svg": "SVG (رسم)", "kind_step": "STEP (تصميم بالحاسوب، للتعديل)",
        "kind_dxf": "DXF (قطع بالليزر)",
        "tech_fdm": "طباعة ثلاثية الأبعاد (FDM)", "tech_laser": "قطع بالليزر",
        "status_prototype": "نموذج أولي",
        "status_prototype_help": "لم تتم مراجعته. يُشارَك ليختبره الصانعون ويحسّنوه؛ "
                                 "لا يُستعمل على المرضى.",
        "status_community": "استخدام مجتمعي",
        "status_community_help": "اختبره المجتمع من حيث الملاءمة والموثوقية، لاستخدامات "
                                 "دون تماس مع المرضى.",
        "status_clinical": "استخدام سريري",
        "status_clinical_help": "قُيِّم في بيئة سريرية؛ صالح فقط مع أنواع الطابعات والمواد "
                                "المحددة.",
        "status_warning": "تحذير",
        "status_warning_help": "يحتاج إلى موافقة تنظيمية أو ينطوي على خطر: اقرأ التنبيه "
                               "أدناه قبل صنعه أو استعماله.",
        "units": "B kB MB GB", "decimal": ".",
    },
}

# The request form: labels and help per language (the field names follow the API contract
# in contracts.md; the form's runtime messages live in docs/assets/javascripts/request-form.js).
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


def ui(lang: str) -> dict[str, str]:
    return {**UI[FALLBACK_LANG], **UI.get(lang, {})}


def form_words(lang: str) -> dict[str, str]:
    return {**FORM[FALLBACK_LANG], **FORM.get(lang, {})}


# ----------------------------------------------------------------------------- inputs

def load_hub(path: Path) -> dict[str, Any]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    langs = data.get("hub", {}).get("languages") or []
    if not langs:
        raise SiteError(f"{path}: [hub] languages must list at least one language")
    return data


def load_manifest(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise SiteError(
            f"{path} does not exist: build the designs first with `python -m cad build` "
            f"(it writes build/manifest.json and the files the site offers for download)")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data.get("designs"), dict) or not isinstance(data.get("variants"), list):
        raise SiteError(f"{path}: not a build manifest (no 'designs' object / 'variants' list)")
    return data


@dataclass
class Design:
    """One published design: its design.toml, instructions and built variants."""

    slug: str
    meta: dict[str, Any]                      # design.toml
    built: dict[str, Any]                     # manifest["designs"][slug]
    variants: list[dict[str, Any]]            # manifest variants of this design, in order
    instructions: dict[str, str] = field(default_factory=dict)  # lang -> markdown

    def text(self, key: str, lang: str) -> tuple[str, bool]:
        """A per-language text of design.toml and whether it fell back to English."""
        return pick(self.meta.get(key), lang)


def pick(texts: Mapping[str, str] | str | None, lang: str) -> tuple[str, bool]:
    """`texts[lang]`, else the English text (second value True when it fell back)."""
    if texts is None:
        return "", False
    if isinstance(texts, str):
        return texts, False
    if texts.get(lang):
        return texts[lang], False
    return texts.get(FALLBACK_LANG, ""), lang != FALLBACK_LANG


def published_slugs(hub: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """Designs the manifest holds that hub.toml's [designs] publish lets through."""
    publish = hub.get("designs", {}).get("publish", ["*"])
    built = manifest["designs"]
    return sorted(s for s in built if "*" in publish or s in publish)


def load_design(designs_dir: Path, slug: str, manifest: Mapping[str, Any],
                languages: list[str]) -> Design:
    folder = Path(designs_dir) / slug
    toml_path = folder / "design.toml"
    if not toml_path.is_file():
        raise SiteError(f"{toml_path} is missing, but the manifest lists design {slug!r}: "
                        f"rebuild with `python -m cad build`")
    meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    instructions = {}
    for lang in {*languages, FALLBACK_LANG}:
        path = folder / f"instructions.{lang}.md"
        if path.is_file():
            instructions[lang] = path.read_text(encoding="utf-8")
    variants = [v for v in manifest["variants"] if v.get("design") == slug]
    return Design(slug, meta, manifest["designs"][slug], variants, instructions)


def download_files(design: Design) -> list[tuple[str, str, int | None]]:
    """(path relative to build/, path in the site, bytes) of every file a design page links."""
    out = []
    for variant in design.variants:
        for kind in sorted(variant.get("files", {}), key=_kind_order):
            info = variant["files"][kind]
            out.append((info["path"], f"{DOWNLOADS_DIR}/{info['path']}", info.get("bytes")))
    return out


def checksums_path(design: Design) -> str:
    return f"{DOWNLOADS_DIR}/{design.slug}/SHA256SUMS"


def checksums_text(design: Design) -> str:
    """A `sha256sum -c` file for the design's downloads (names relative to its folder)."""
    lines = []
    for variant in design.variants:
        for kind in sorted(variant.get("files", {}), key=_kind_order):
            info = variant["files"][kind]
            name = info["path"].split("/", 1)[1] if "/" in info["path"] else info["path"]
            lines.append(f"{info['sha256']}  {name}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- helpers

def _kind_order(kind: str) -> tuple[int, str]:
    return (FILE_KINDS.index(kind) if kind in FILE_KINDS else len(FILE_KINDS), kind)


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def human_size(n: int, lang: str) -> str:
    words = ui(lang)
    units = words["units"].split()
    size = float(n)
    for unit in units:
        if size < 1000 or unit == units[-1]:
            text = f"{size:.0f}" if unit == units[0] else f"{size:.1f}"
            return f"{text.replace('.', words['decimal'])} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def ltr(text: str) -> str:
    """Inline text that must read left to right even on an Arabic page (file names,
    sizes, "10 × 5 × 3")."""
    return f'<span dir="ltr">{text}</span>'


def fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def shift_headings(markdown: str, top: int) -> str:
    """Demote ATX headings so the highest one is level `top` (code fences left alone)."""
    lines = markdown.splitlines()
    fence = None
    levels = []
    for line in lines:
        m = re.match(r"^(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and line.startswith(fence) else (fence or m.group(1))
            continue
        h = re.match(r"^(#{1,6})\s", line)
        if h and not fence:
            levels.append(len(h.group(1)))
    if not levels:
        return markdown
    shift = max(0, top - min(levels))
    out, fence = [], None
    for line in lines:
        m = re.match(r"^(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and line.startswith(fence) else (fence or m.group(1))
        elif not fence:
            h = re.match(r"^(#{1,6})(\s.*)$", line)
            if h:
                line = "#" * min(6, len(h.group(1)) + shift) + h.group(2)
        out.append(line)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


def admonition(kind: str, title: str, body: str) -> str:
    indented = "\n".join(("    " + line) if line.strip() else "" for line in body.splitlines())
    return f'!!! {kind} "{title}"\n\n{indented}\n'


def in_english(markdown: str, fell_back: bool) -> str:
    """Markdown shown in English on another language's page, marked so (lang="en") for
    screen readers and right-to-left pages. One paragraph gets attributes (this works
    inside admonitions too); longer text is wrapped in a div."""
    if not fell_back or not markdown.strip():
        return markdown
    if "\n\n" not in markdown.strip() and not markdown.lstrip().startswith(("#", "-", "*", "|")):
        return f'{markdown.strip()}\n{{: lang="{FALLBACK_LANG}" dir="ltr" }}'
    return f'<div lang="{FALLBACK_LANG}" dir="ltr" markdown>\n\n{markdown}\n\n</div>\n'


def untranslated_note(lang: str) -> str:
    w = ui(lang)
    return admonition("note", w["untranslated"], w["untranslated_body"])


# ----------------------------------------------------------------------------- pages

STATUS_ADMONITION = {"prototype": "warning", "community": "info",
                     "clinical": "success", "warning": "danger"}


def status_label(status: str, lang: str) -> str:
    return ui(lang).get(f"status_{status}", status)


def technology_label(tech: str, lang: str) -> str:
    return ui(lang).get(f"tech_{tech}", tech)


def design_page_path(slug: str) -> str:
    return f"designs/{slug}.md"


def catalog_markdown(designs: list[Design], lang: str) -> str:
    """The catalog page: one table row per design, linking its page."""
    w = ui(lang)
    out = [f"# {w['catalog']}", "", w["catalog_intro"], ""]
    if not designs:
        return "\n".join(out + [w["no_designs"], ""])
    out += [f"| {w['col_design']} | {w['col_summary']} | {w['col_technology']} "
            f"| {w['col_status']} | {w['col_variants']} |",
            "|---|---|---|---|---:|"]
    for d in designs:
        title, _ = d.text("title", lang)
        summary, _ = d.text("summary", lang)
        status = d.built.get("status") or d.meta.get("status", "prototype")
        tech = d.built.get("technology") or d.meta.get("technology", "")
        out.append(f"| [{cell(title or d.slug)}]({d.slug}.md) | {cell(summary)} "
                   f"| {cell(technology_label(tech, lang))} | {cell(status_label(status, lang))} "
                   f"| {len(d.variants)} |")
    return "\n".join(out) + "\n"


def _param_titles(design: Design) -> dict[str, str]:
    """Column titles of parameters: 'Title (unit)' when the manifest describes them."""
    titles = {}
    for p in design.built.get("parameters") or []:
        unit = f" ({p['unit']})" if p.get("unit") else ""
        titles[p["name"]] = f"{p.get('title') or p['name']}{unit}"
    return titles


def allowed_text(p: Mapping[str, Any], lang: str) -> str:
    """What a described parameter accepts: its choices or its range, with the unit."""
    w = ui(lang)
    if p.get("choices"):
        return ", ".join(fmt_value(c) for c in p["choices"])
    unit = f" {p['unit']}" if p.get("unit") else ""
    lo, hi = (ltr(f"{fmt_value(p[k])}{unit}") if p.get(k) is not None else None
              for k in ("min", "max"))
    if lo and hi:
        return w["from_to"].format(min=lo, max=hi)
    if lo or hi:
        return w["at_least"].format(min=lo) if lo else w["at_most"].format(max=hi)
    return ""


def default_variant(design: Design, kind: str) -> dict[str, Any] | None:
    """The variant with a `kind` file whose parameters are closest to the defaults (the
    manifest's parameter descriptions); else the first with such a file."""
    defaults = {p["name"]: p.get("default") for p in design.built.get("parameters") or []}
    with_file = [v for v in design.variants if kind in v.get("files", {})]

    def matches(v: dict[str, Any]) -> int:
        return sum(v.get("params", {}).get(k) == d for k, d in defaults.items())

    return max(with_file, key=matches, default=None)


def design_markdown(design: Design, lang: str) -> str:
    """A design's page: status and notice first, then variants, drawing, BOM, instructions,
    downloads. Links are relative to `designs/<slug>.md`."""
    w = ui(lang)
    title, t_fb = design.text("title", lang)
    summary, s_fb = design.text("summary", lang)
    not_for, n_fb = design.text("not_certified_for", lang)
    status = design.built.get("status") or design.meta.get("status", "prototype")
    tech = design.built.get("technology") or design.meta.get("technology", "")
    version = design.built.get("version") or design.meta.get("version", "")
    licence = design.meta.get("licence", "")
    dl = f"../{DOWNLOADS_DIR}/"

    out = [f"# {title or design.slug}", ""]
    if t_fb or s_fb or n_fb:
        out += [untranslated_note(lang)]
    out += [in_english(summary, s_fb), ""]
    out += [admonition(STATUS_ADMONITION.get(status, "warning"),
                       f"{w['review_status']}: {status_label(status, lang)}",
                       w.get(f"status_{status}_help", "")), ""]
    out += [admonition("danger", w["not_certified"], in_english(not_for.strip(), n_fb)), ""]
    licence_md = (f"[{licence}](https://spdx.org/licenses/{licence}.html)"
                  if re.fullmatch(r"[A-Za-z0-9.+-]+", licence or "") else cell(licence))
    out += [f"- **{w['technology']}**: {technology_label(tech, lang)}",
            f"- **{w['version']}**: {version}",
            f"- **{w['licence']}**: {licence_md}", ""]

    # Variants: one column per parameter that differs between variants; then every
    # parameter once, with its value(s), what is allowed and what it does.
    variants = design.variants
    names = list(dict.fromkeys(k for v in variants for k in v.get("params", {})))
    varying = [n for n in names
               if len({json.dumps(v.get("params", {}).get(n)) for v in variants}) > 1]
    described = {p["name"]: p for p in design.built.get("parameters") or []}
    titles = _param_titles(design)
    out += [f"## {w['variants']}", ""]
    if variants:
        head = [w["variant"], *(titles.get(n, n) for n in varying), w["size_mm"], w["checks"]]
        out += ["| " + " | ".join(cell(h) for h in head) + " |",
                "|" + "---|" * len(head)]
        for v in variants:
            size = v.get("bbox", {}).get("size")
            size_txt = ltr(" × ".join(f"{x:.1f}" for x in size)) if size else ""
            ok = w["checks_ok"] if v.get("ok", True) else f"**{w['checks_failed']}**"
            row = [f"`{v['variant']}`", *(cell(fmt_value(v["params"].get(n))) for n in varying),
                   size_txt, ok]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    if names:
        head = [w["parameter"], w["value"]]
        if described:
            head += [w["allowed"], w["description"]]
        out += [f"## {w['parameters']}", "", "| " + " | ".join(head) + " |",
                "|" + "---|" * len(head)]
        for n in names:
            values = list(dict.fromkeys(fmt_value(v["params"].get(n)) for v in variants))
            row = [cell(titles.get(n, n)), cell(", ".join(values))]
            if described:
                p = described.get(n, {})
                doc = cell(p.get("doc") or "")
                if doc and lang != FALLBACK_LANG:  # parameter docs are written in English
                    doc = f'<span lang="{FALLBACK_LANG}" dir="ltr">{doc}</span>'
                row += [cell(allowed_text(p, lang)), doc]
            out.append("| " + " | ".join(row) + " |")
        out.append("")

    drawing = default_variant(design, "svg")
    if drawing:
        alt = w["drawing_alt"].format(variant=drawing["variant"])
        out += [f"## {w['drawing']}", "",
                f"![{alt}]({dl}{drawing['files']['svg']['path']}){{ loading=lazy }}", "",
                w["drawing_note"].format(variant=drawing["variant"]), ""]

    bom = design.meta.get("bom") or []
    if bom:
        out += [f"## {w['bom']}", "", f"| {w['quantity']} | {w['unit']} | {w['item']} |",
                "|---:|---|---|"]
        for line in bom:
            item, _ = pick(line.get("item"), lang)
            out.append(f"| {fmt_value(line.get('quantity', ''))} | {cell(line.get('unit', ''))} "
                       f"| {cell(item)} |")
        out.append("")

    out += [f"## {w['instructions']}", ""]
    text, fell_back = pick(design.instructions, lang)
    if text:
        if fell_back:
            out += [untranslated_note(lang)]
        out += [in_english(shift_headings(text.strip(), 3), fell_back), ""]
    else:
        out += [w["no_instructions"], ""]

    out += [f"## {w['downloads']}", ""]
    rows = []
    for v in variants:
        for kind in sorted(v.get("files", {}), key=_kind_order):
            info = v["files"][kind]
            name = info["path"].rsplit("/", 1)[-1]
            rows.append(f"| `{v['variant']}` | [{cell(name)}]({dl}{info['path']})"
                        f'{{ download="{name}" dir="ltr" }} '
                        f'| {cell(w.get("kind_" + kind, kind.upper()))} '
                        f"| {ltr(human_size(info['bytes'], lang))} | `{info['sha256']}` |")
    if rows:
        out += [f"| {w['variant']} | {w['file']} | {w['format']} | {w['size']} | {w['sha256']} |",
                "|---|---|---|---:|---|", *rows, "",
                w["checksums_note"].format(href=f"../{checksums_path(design)}"), ""]
    return "\n".join(out)


def fallback_page(markdown: str, lang: str) -> str:
    """An English hand-written page standing in for a missing translation: a visible note
    right after its title."""
    lines = markdown.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    body = in_english("\n".join(lines[at:]).strip(), True)
    return "\n".join([*lines[:at], "", untranslated_note(lang), body])


# ----------------------------------------------------------------------------- config JS

def stage_of(env: Mapping[str, str]) -> str:
    return env.get("USINE_STAGE") or "local"


def api_base_url(hub: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """`USINE_API_BASE_URL`, else hub.toml's `[stages.<USINE_STAGE>] api_base_url`."""
    if env.get("USINE_API_BASE_URL"):
        return env["USINE_API_BASE_URL"].rstrip("/")
    stage = stage_of(env)
    try:
        return hub["stages"][stage]["api_base_url"].rstrip("/")
    except KeyError:
        raise SiteError(f"hub.toml has no [stages.{stage}] api_base_url "
                        f"(set USINE_STAGE to one of: {', '.join(hub.get('stages', {}))}, "
                        f"or USINE_API_BASE_URL)") from None


def hub_config(hub: Mapping[str, Any], designs: list[Design], lang: str,
               env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "apiBaseUrl": api_base_url(hub, env),
        "regions": list(hub["hub"].get("regions", [])),
        "designs": [{"slug": d.slug, "title": d.text("title", lang)[0] or d.slug}
                    for d in designs],
        "lang": lang,
        "contactEmail": hub["hub"].get("contact_email", ""),
    }


def hub_config_js(config: Mapping[str, Any]) -> str:
    return ("// Generated by scripts/gen_pages.py from hub.toml and the build manifest.\n"
            f"window.USINE = {json.dumps(config, ensure_ascii=True, indent=1)};\n")


# ----------------------------------------------------------------------------- form

def _esc(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _field(name: str, label: str, control: str, required: bool, words: dict,
           help_text: str = "") -> str:
    fid = "f-" + name.replace(".", "-")
    req = f' <span class="usine-required">({_esc(words["required"])})</span>' if required else ""
    help_html = (f'<p class="usine-help" id="{fid}-help">{_esc(help_text)}</p>'
                 if help_text else "")
    return (f'<div class="usine-field" data-field="{name}">'
            f'<label for="{fid}">{_esc(label)}{req}</label>{control}{help_html}'
            f'<p class="usine-error" id="{fid}-error" hidden></p></div>')


def _input(name: str, kind: str, required: bool, extra: str = "") -> str:
    fid = "f-" + name.replace(".", "-")
    req = " required" if required else ""
    return f'<input id="{fid}" name="{name}" type="{kind}"{req}{extra}>'


def _select(name: str, options: list[tuple[str, str]], required: bool, words: dict) -> str:
    fid = "f-" + name.replace(".", "-")
    req = " required" if required else ""
    opts = [f'<option value="">{_esc(words["choose"])}</option>']
    opts += [f'<option value="{_esc(v)}">{_esc(t)}</option>' for v, t in options]
    return f'<select id="{fid}" name="{name}"{req}>' + "".join(opts) + "</select>"


def request_form_html(lang: str, regions: list[str], designs: list[tuple[str, str]]) -> str:
    """The hospital request form. Field names are the API's dotted paths (contracts.md),
    so the API's per-field messages land next to the right input. `designs` is a list of
    (slug, title). The JS (request-form.js) posts it as JSON and adds item lines."""
    w = form_words(lang)
    f = _field
    org = "".join([
        f("organization.name", w["organization.name"],
          _input("organization.name", "text", True, ' autocomplete="organization" maxlength="200"'),
          True, w),
        f("organization.type", w["organization.type"],
          _select("organization.type", [(t, w[f"type_{t}"]) for t in ORG_TYPES], True, w),
          True, w),
    ])
    contact = "".join([
        f("contact.name", w["contact.name"],
          _input("contact.name", "text", True, ' autocomplete="name" maxlength="200"'), True, w),
        f("contact.email", w["contact.email"],
          _input("contact.email", "email", True, ' autocomplete="email" dir="ltr"'), True, w),
        f("contact.phone", w["contact.phone"],
          _input("contact.phone", "tel", True, ' autocomplete="tel" dir="ltr"'), True, w),
    ])
    delivery = "".join([
        f("delivery.region", w["delivery.region"],
          _select("delivery.region", [(r, r) for r in regions], True, w), True, w),
        f("delivery.postcode", w["delivery.postcode"],
          _input("delivery.postcode", "text", True,
                 ' autocomplete="postal-code" maxlength="20" dir="ltr"'), True, w),
        f("delivery.address", w["delivery.address"],
          '<textarea id="f-delivery-address" name="delivery.address" rows="2" required '
          'autocomplete="street-address" maxlength="500"></textarea>', True, w),
    ])
    item = ('<div class="usine-item" data-index="0">'
            + f("items.0.design", w["item.design"],
                _select("items.0.design", list(designs), True, w), True, w)
            + f("items.0.quantity", w["item.quantity"],
                _input("items.0.quantity", "number", True,
                       ' min="1" max="100000" step="1" inputmode="numeric"'), True, w)
            + f'<button type="button" class="md-button usine-remove-item" hidden>'
              f'{_esc(w["remove_item"])}</button>'
            + "</div>")
    items = (f'<div class="usine-items">{item}</div>'
             '<p class="usine-error" id="f-items-error" hidden></p>'
             f'<button type="button" class="md-button usine-add-item">{_esc(w["add_item"])}'
             f"</button>")
    rest = "".join([
        f("needed_by", w["needed_by"], _input("needed_by", "date", True), True, w),
        f("notes", w["notes"],
          '<textarea id="f-notes" name="notes" rows="3" maxlength="2000" '
          'aria-describedby="f-notes-help"></textarea>', False, w, w["notes_help"]),
        '<div class="usine-field usine-consent" data-field="consent">'
        '<input id="f-consent" name="consent" type="checkbox" value="true" required>'
        f'<label for="f-consent">{_esc(w["consent"])}</label>'
        '<p class="usine-error" id="f-consent-error" hidden></p></div>',
    ])
    return "\n".join([
        f'<noscript><p class="usine-noscript">{_esc(w["noscript"])}</p></noscript>',
        '<form id="usine-request-form" class="usine-form" data-usine-form="request">',
        f'<fieldset><legend>{_esc(w["organization"])}</legend>{org}</fieldset>',
        f'<fieldset><legend>{_esc(w["contact"])}</legend>{contact}</fieldset>',
        f'<fieldset><legend>{_esc(w["delivery"])}</legend>{delivery}</fieldset>',
        f'<fieldset><legend>{_esc(w["items"])}</legend>{items}</fieldset>',
        rest,
        '<p class="usine-general-error" role="alert" hidden></p>',
        f'<button type="submit" class="md-button md-button--primary">{_esc(w["submit"])}</button>',
        '<div class="usine-status" role="status" aria-live="polite"></div>',
        "</form>",
    ]) + "\n"


def with_request_form(markdown: str, form_html: str) -> str:
    """A hand-written page with its form marker replaced by the form."""
    return markdown.replace(FORM_MARKER, "\n" + form_html + "\n")


# ----------------------------------------------------------------------------- pages on disk

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية", "es": "Español",
                  "de": "Deutsch", "it": "Italiano", "pt": "Português", "nl": "Nederlands"}


def handwritten_pages(docs_root: Path, lang: str) -> list[tuple[str, Path, bool]]:
    """Hand-written pages of a language: (path in the site, source file, fell back to
    English?). A page of docs/en/ that docs/<lang>/ lacks is taken from English."""
    found: dict[str, tuple[Path, bool]] = {}
    for source_lang in (FALLBACK_LANG, lang):
        folder = Path(docs_root) / source_lang
        if folder.is_dir():
            for path in sorted(folder.rglob("*.md")):
                found[path.relative_to(folder).as_posix()] = (path, source_lang != lang)
    return [(rel, src, fb) for rel, (src, fb) in sorted(found.items())]


# ----------------------------------------------------------------------------- nav

HANDWRITTEN_ORDER = ("index.md", "@catalog", "request.md", "safety.md")


def nav(lang: str, pages: list[str], slugs: list[str]) -> list[Any]:
    """The site's navigation: hand-written pages in HANDWRITTEN_ORDER (others after them,
    sorted), the catalog as a section holding one page per design. Titles of pages come
    from their first heading; the section's title is translated here."""
    w = ui(lang)
    named = {"@catalog": {w["catalog"]: [CATALOG_PAGE, *(design_page_path(s) for s in slugs)]},
             "index.md": {w["home"]: "index.md"}}
    order = [p for p in HANDWRITTEN_ORDER if p == "@catalog" or p in pages]
    order += sorted(p for p in pages if p not in HANDWRITTEN_ORDER)
    return [named.get(p, p) for p in order]
