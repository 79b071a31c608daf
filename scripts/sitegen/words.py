"""Words of the generated pages per language, and the labels of statuses and technologies.

A language missing here (a fork adding "es") gets English words; hand-written pages are
translated in docs/<lang>/.
"""

from __future__ import annotations

FALLBACK_LANG = "en"
STATUSES = ("prototype", "community", "clinical", "warning")  # NIH 3D Print Exchange

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
        "kind_3mf": "3MF (PrusaSlicer, ready to print with the profile)",
        "kind_pdf": "PDF (punch template, print at 100 %)",
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
        # design page: picker, preview, figures, fits, archive, changelog
        "choose_variant": "Choose a variant",
        "picker_noscript": "Without JavaScript, every variant is listed below with its "
                           "figures and files.",
        "files_in_panels": "Each variant's files, with their size and SHA-256, are listed "
                           "with the variant above.",
        "preview": "3D preview", "preview_load": "Show in 3D ({size})",
        "preview_alt": "3D view of variant {variant}",
        "preview_help": "Drag to turn it, scroll or pinch to zoom.",
        "selected_variant": "Variant {variant}", "variant_files": "Files of this variant",
        "figures": "Production figures",
        "figures_intro": "Measured by the build on each variant, with the profile named.",
        "figures_none": "No production figure is measured for this variant yet.",
        "fig_print_time": "Print time", "fig_time_per_unit": "Print time per part",
        "fig_units": "Parts per print", "fig_filament_per_unit": "Filament per part", "fig_filament": "Filament",
        "fig_measured_with": "Measured with", "fig_not_measured": "Not measured",
        "fig_technology": "Technology", "fig_material": "Material",
        "fig_layer_height": "Layer height", "fig_perimeters": "Perimeters",
        "fig_infill": "Infill", "fig_profile": "Slicer profile",
        "fig_cut_length": "Cut length", "fig_pierces": "Pierces", "fig_cut_time": "Cut time",
        "fig_reference": "Reference", "fig_stock": "Sheet", "fig_parts_per_sheet": "Parts per sheet",
        "fig_efficiency": "Material used", "fig_grid_best": "Parts in a plain grid",
        "fig_vs_grid": "Against a plain grid", "fig_sheets_needed": "Sheets needed",
        "fig_second_moment": "Second moment of area", "fig_axis": "Axis",
        "fits": "Which parts fit", "fits_intro": "Checked by the build: each line is a part of "
                                                 "another design this variant was measured against.",
        "fit_with": "Checked against", "fit_result": "Result", "fit_ok": "fits",
        "fit_bad": "DOES NOT FIT", "max_error": "Largest error", "clearance": "Clearance",
        "whole_design": "The whole design",
        "zip_note": "Every file of every variant, the design's source and the checksum file, "
                    "in one archive:",
        "changelog": "Changes", "changelog_intro": "From the history of the design's folder, "
                                                   "newest first.",
        "changelog_none": "No history is available: this copy of the hub is not a git checkout.",
        "changelog_empty": "No change is recorded yet: the design's folder has no commit.",
        "date": "Date", "change": "Change",
        "dur_h": "h", "dur_min": "min", "dur_s": "s",
        # catalog and technology pages
        "fastest_print": "Fastest print: {time}", "fastest_cut": "Fastest cut: {time}",
        "filters": "Filter the designs", "filter_all": "All",
        "filter_none": "No design matches these filters.",
        "by_technology": "By technology",
        "tech_intro_fdm": "The settings the print figures were measured with, and every "
                          "3D-printed design with its parameters.",
        "tech_intro_laser": "The reference the cut figures are computed with, and every "
                            "laser-cut design with its parameters.",
        "settings": "Settings", "setting": "Setting",
        "profile_download": "The whole profile: [{name}]({href}){{ download=\"{name}\" }}.",
        "profile_missing": "The reference profile is not shipped with this hub.",
        "cut_reference": "Cut times are computed at {reference}.",
        "designs_of_tech": "Designs",
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
        "kind_3mf": "3MF (PrusaSlicer, prêt à imprimer avec le profil)",
        "kind_pdf": "PDF (gabarit de perforation, imprimer à 100 %)",
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
        "choose_variant": "Choisir une variante",
        "picker_noscript": "Sans JavaScript, toutes les variantes sont listées ci-dessous avec "
                           "leurs chiffres et leurs fichiers.",
        "files_in_panels": "Les fichiers de chaque variante, avec leur taille et leur "
                           "empreinte SHA-256, sont listés avec la variante plus haut.",
        "preview": "Aperçu 3D", "preview_load": "Voir en 3D ({size})",
        "preview_alt": "Vue 3D de la variante {variant}",
        "preview_help": "Faites glisser pour le tourner, molette ou pincement pour zoomer.",
        "selected_variant": "Variante {variant}", "variant_files": "Fichiers de cette variante",
        "figures": "Chiffres de production",
        "figures_intro": "Mesurés par la construction sur chaque variante, avec le profil indiqué.",
        "figures_none": "Aucun chiffre de production n'est encore mesuré pour cette variante.",
        "fig_print_time": "Temps d'impression", "fig_time_per_unit": "Temps par pièce",
        "fig_units": "Pièces par impression", "fig_filament_per_unit": "Filament par pièce", "fig_filament": "Filament",
        "fig_measured_with": "Mesuré avec", "fig_not_measured": "Non mesuré",
        "fig_technology": "Technique", "fig_material": "Matière",
        "fig_layer_height": "Hauteur de couche", "fig_perimeters": "Périmètres",
        "fig_infill": "Remplissage", "fig_profile": "Profil du trancheur",
        "fig_cut_length": "Longueur de découpe", "fig_pierces": "Amorçages",
        "fig_cut_time": "Temps de découpe", "fig_reference": "Référence",
        "fig_stock": "Plaque", "fig_parts_per_sheet": "Pièces par plaque",
        "fig_efficiency": "Matière utilisée", "fig_grid_best": "Pièces en grille simple",
        "fig_vs_grid": "Par rapport à une grille simple", "fig_sheets_needed": "Plaques nécessaires",
        "fig_second_moment": "Moment quadratique", "fig_axis": "Axe",
        "fits": "Quelles pièces s'assemblent",
        "fits_intro": "Vérifié à la construction : chaque ligne est une pièce d'un autre modèle "
                      "contre laquelle cette variante a été mesurée.",
        "fit_with": "Vérifiée avec", "fit_result": "Résultat", "fit_ok": "s'ajuste",
        "fit_bad": "NE S'AJUSTE PAS", "max_error": "Écart maximal", "clearance": "Jeu",
        "whole_design": "Le modèle complet",
        "zip_note": "Tous les fichiers de toutes les variantes, la source du modèle et le "
                    "fichier des empreintes, en une archive :",
        "changelog": "Modifications",
        "changelog_intro": "D'après l'historique du dossier du modèle, du plus récent au plus "
                           "ancien.",
        "changelog_none": "Pas d'historique : cette copie du hub n'est pas un dépôt git.",
        "changelog_empty": "Aucune modification enregistrée : le dossier du modèle n'a pas "
                           "encore de commit.",
        "date": "Date", "change": "Modification",
        "dur_h": "h", "dur_min": "min", "dur_s": "s",
        "fastest_print": "Impression la plus rapide : {time}",
        "fastest_cut": "Découpe la plus rapide : {time}",
        "filters": "Filtrer les modèles", "filter_all": "Tous",
        "filter_none": "Aucun modèle ne correspond à ces filtres.",
        "by_technology": "Par technique",
        "tech_intro_fdm": "Les réglages avec lesquels les temps d'impression ont été mesurés, "
                          "et chaque modèle imprimé en 3D avec ses paramètres.",
        "tech_intro_laser": "La référence des temps de découpe, et chaque modèle découpé au "
                            "laser avec ses paramètres.",
        "settings": "Réglages", "setting": "Réglage",
        "profile_download": "Le profil complet : [{name}]({href}){{ download=\"{name}\" }}.",
        "profile_missing": "Le profil de référence n'est pas fourni avec ce hub.",
        "cut_reference": "Les temps de découpe sont calculés à {reference}.",
        "designs_of_tech": "Modèles",
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
        "kind_3mf": "3MF (PrusaSlicer، جاهز للطباعة بملف الإعدادات)",
        "kind_pdf": "PDF (قالب التثقيب، يُطبع بنسبة 100 %)",
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
        "choose_variant": "اختر متغيرًا",
        "picker_noscript": "من دون JavaScript، كل المتغيرات مدرجة أدناه مع أرقامها وملفاتها.",
        "files_in_panels": "ملفات كل متغير، بحجمها وبصمتها SHA-256، مدرجة مع المتغير أعلاه.",
        "preview": "معاينة ثلاثية الأبعاد", "preview_load": "اعرض بالأبعاد الثلاثة ({size})",
        "preview_alt": "عرض ثلاثي الأبعاد للمتغير {variant}",
        "preview_help": "اسحب لتدويره، واستعمل العجلة أو إصبعين للتكبير.",
        "selected_variant": "المتغير {variant}", "variant_files": "ملفات هذا المتغير",
        "figures": "أرقام الإنتاج",
        "figures_intro": "قاسها البناء على كل متغير، مع ذكر الإعدادات المستعملة.",
        "figures_none": "لم تُقَس بعد أي أرقام إنتاج لهذا المتغير.",
        "fig_print_time": "مدة الطباعة", "fig_time_per_unit": "مدة الطباعة لكل قطعة",
        "fig_units": "القطع في كل طبعة", "fig_filament_per_unit": "الخيط لكل قطعة", "fig_filament": "الخيط",
        "fig_measured_with": "قيست باستعمال", "fig_not_measured": "غير مقيسة",
        "fig_technology": "التقنية", "fig_material": "المادة",
        "fig_layer_height": "ارتفاع الطبقة", "fig_perimeters": "المحيطات",
        "fig_infill": "الحشو", "fig_profile": "ملف الإعدادات",
        "fig_cut_length": "طول القطع", "fig_pierces": "نقاط الثقب", "fig_cut_time": "مدة القطع",
        "fig_reference": "المرجع", "fig_stock": "اللوح", "fig_parts_per_sheet": "القطع في كل لوح",
        "fig_efficiency": "نسبة استغلال المادة", "fig_grid_best": "القطع في شبكة بسيطة",
        "fig_vs_grid": "مقارنة بشبكة بسيطة", "fig_sheets_needed": "الألواح اللازمة",
        "fig_second_moment": "عزم القصور الذاتي للمساحة", "fig_axis": "المحور",
        "fits": "القطع المتوافقة",
        "fits_intro": "فحصها البناء: كل سطر قطعة من تصميم آخر قيس هذا المتغير عليها.",
        "fit_with": "فُحص مع", "fit_result": "النتيجة", "fit_ok": "متوافق",
        "fit_bad": "غير متوافق", "max_error": "أكبر خطأ", "clearance": "الخلوص",
        "whole_design": "التصميم كاملًا",
        "zip_note": "كل ملفات كل المتغيرات، ومصدر التصميم، وملف البصمات، في أرشيف واحد:",
        "changelog": "التغييرات", "changelog_intro": "من سجل مجلد التصميم، الأحدث أولًا.",
        "changelog_none": "لا يتوفر سجل: هذه النسخة من المركز ليست مستودع git.",
        "changelog_empty": "لا تغييرات مسجلة بعد: لا يحتوي مجلد التصميم على أي إيداع.",
        "date": "التاريخ", "change": "التغيير",
        "dur_h": "سا", "dur_min": "د", "dur_s": "ث",
        "fastest_print": "أسرع طباعة: {time}", "fastest_cut": "أسرع قطع: {time}",
        "filters": "تصفية التصاميم", "filter_all": "الكل",
        "filter_none": "لا يطابق أي تصميم هذه المرشحات.",
        "by_technology": "حسب التقنية",
        "tech_intro_fdm": "الإعدادات التي قيست بها مدد الطباعة، وكل تصميم مطبوع بالأبعاد "
                          "الثلاثة مع معاملاته.",
        "tech_intro_laser": "المرجع الذي تُحسب به مدد القطع، وكل تصميم مقطوع بالليزر مع "
                            "معاملاته.",
        "settings": "الإعدادات", "setting": "الإعداد",
        "profile_download": "ملف الإعدادات كاملًا: [{name}]({href}){{ download=\"{name}\" }}.",
        "profile_missing": "ملف الإعدادات المرجعي غير مرفق بهذا المركز.",
        "cut_reference": "تُحسب مدد القطع على أساس {reference}.",
        "designs_of_tech": "التصاميم",
    },
}

# The request form: labels and help per language (the field names follow the API contract

def ui(lang: str) -> dict[str, str]:
    return {**UI[FALLBACK_LANG], **UI.get(lang, {})}


def language_name(code: str) -> str:
    """The language's name in itself, from Babel's locale data (the switcher's label):
    "Français", "العربية", "اردو", "Wolof". The code itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def text_direction(code: str) -> str:
    """"rtl" or "ltr", from Babel's locale data (Arabic, Urdu, Persian, Hebrew are rtl)."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(code.replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError):
        return "ltr"


def status_label(status: str, lang: str) -> str:
    return ui(lang).get(f"status_{status}", status)


def technology_label(tech: str, lang: str) -> str:
    return ui(lang).get(f"tech_{tech}", tech)

