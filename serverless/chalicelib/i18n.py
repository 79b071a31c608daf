"""Error messages in the language the client asks for (``Accept-Language``): fr, en, ar.

Two catalogues: ``FIELD`` words one reason of one field (keyed by pydantic's error type or
ours: ``missing``, ``date_past``, ``region``...), ``GENERAL`` words a whole answer. Both are
templates over the error's context (``{max_length}``, ``{choices}``...). The site's forms
mirror ``FIELD`` for their client-side checks (docs/assets/javascripts/*-form.js). No
template ever repeats a submitted value.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

LANGUAGES = ("en", "fr", "ar")
DEFAULT_LANGUAGE = "en"

FIELD: dict[str, dict[str, str]] = {
    "missing": {"en": "is required", "fr": "est obligatoire", "ar": "حقل إلزامي"},
    "extra_forbidden": {"en": "is not a known field", "fr": "n'est pas un champ connu",
                        "ar": "ليس حقلاً معروفاً"},
    # Unknown keys, reported at their parent's path (code extra_forbidden), never named:
    # the names are the client's; {allowed} are the schema's.
    "unknown_fields": {"en": "has {count} unknown field(s); allowed: {allowed}",
                       "fr": "contient {count} champ(s) inconnu(s) ; champs permis : {allowed}",
                       "ar": "يحتوي على {count} من الحقول غير المعروفة؛ الحقول المسموح بها: {allowed}"},
    "string_type": {"en": "must be text", "fr": "doit être du texte", "ar": "يجب أن يكون نصاً"},
    "empty": {"en": "must not be empty", "fr": "ne doit pas être vide", "ar": "يجب ألا يكون فارغاً"},
    "string_too_short": {"en": "must be at least {min_length} characters",
                         "fr": "doit compter au moins {min_length} caractères",
                         "ar": "يجب أن يتكون من {min_length} أحرف على الأقل"},
    "string_too_long": {"en": "must be at most {max_length} characters",
                        "fr": "doit compter au plus {max_length} caractères",
                        "ar": "يجب ألا يتجاوز {max_length} حرفاً"},
    "int_type": {"en": "must be a whole number", "fr": "doit être un nombre entier",
                 "ar": "يجب أن يكون عدداً صحيحاً"},
    "number_type": {"en": "must be a number", "fr": "doit être un nombre", "ar": "يجب أن يكون رقماً"},
    "bool_type": {"en": "must be true or false", "fr": "doit valoir vrai ou faux",
                  "ar": "يجب أن تكون القيمة صحيحاً أو خطأ"},
    "greater_than_equal": {"en": "must be at least {ge}", "fr": "doit être au moins {ge}",
                           "ar": "يجب ألا يقل عن {ge}"},
    "less_than_equal": {"en": "must be at most {le}", "fr": "doit être au plus {le}",
                        "ar": "يجب ألا يزيد عن {le}"},
    "literal_error": {"en": "must be one of {expected}", "fr": "doit être l'une des valeurs {expected}",
                      "ar": "يجب أن يكون إحدى القيم {expected}"},
    "object_type": {"en": "must be an object", "fr": "doit être un objet", "ar": "يجب أن يكون كائناً"},
    "list_type": {"en": "must be a list", "fr": "doit être une liste", "ar": "يجب أن يكون قائمة"},
    "too_short": {"en": "must list at least {min_length} entries",
                  "fr": "doit contenir au moins {min_length} élément(s)",
                  "ar": "يجب أن يتضمن {min_length} عنصراً على الأقل"},
    "too_long": {"en": "must list at most {max_length} entries",
                 "fr": "doit contenir au plus {max_length} éléments",
                 "ar": "يجب ألا يتضمن أكثر من {max_length} عنصراً"},
    "single_line": {"en": "must be one line of text", "fr": "doit tenir sur une ligne",
                    "ar": "يجب أن يكون سطراً واحداً"},
    "control_characters": {"en": "must not contain control characters",
                           "fr": "ne doit pas contenir de caractères de contrôle",
                           "ar": "يجب ألا يحتوي على رموز تحكم"},
    "email": {"en": "must be an email address like name@example.org",
              "fr": "doit être une adresse e-mail comme nom@exemple.org",
              "ar": "يجب أن يكون بريداً إلكترونياً مثل name@example.org"},
    "phone": {"en": "must be a phone number: digits, spaces and + ( ) - . / only",
              "fr": "doit être un numéro de téléphone : chiffres, espaces et + ( ) - . / seulement",
              "ar": "يجب أن يكون رقم هاتف: أرقام ومسافات و + ( ) - . / فقط"},
    "postcode": {"en": "must be a postcode: letters, digits, spaces, -",
                 "fr": "doit être un code postal : lettres, chiffres, espaces, -",
                 "ar": "يجب أن يكون رمزاً بريدياً: حروف وأرقام ومسافات و -"},
    "registry_id": {"en": "must be a registry number: 2 to 32 letters, digits, spaces, -",
                    "fr": "doit être un numéro d'immatriculation : 2 à 32 lettres, chiffres, espaces, -",
                    "ar": "يجب أن يكون رقم تسجيل: من 2 إلى 32 حرفاً أو رقماً أو مسافة أو -"},
    "date_format": {"en": "must be a date written YYYY-MM-DD",
                    "fr": "doit être une date écrite AAAA-MM-JJ",
                    "ar": "يجب أن يكون تاريخاً بالصيغة YYYY-MM-DD"},
    "date_invalid": {"en": "is not a real calendar date", "fr": "n'est pas une date réelle",
                     "ar": "ليس تاريخاً صحيحاً"},
    "date_past": {"en": "must not be in the past", "fr": "ne doit pas être dans le passé",
                  "ar": "يجب ألا يكون في الماضي"},
    "date_far": {"en": "must be within a year from today",
                 "fr": "doit être à moins d'un an d'aujourd'hui",
                 "ar": "يجب أن يكون خلال سنة من اليوم"},
    "date_order": {"en": "must not be before the start date",
                   "fr": "ne doit pas précéder la date de début",
                   "ar": "يجب ألا يسبق تاريخ البداية"},
    "region": {"en": "is not a region of this hub: choose one of {choices}",
               "fr": "n'est pas une région de ce hub : choisissez parmi {choices}",
               "ar": "ليست منطقة تابعة لهذا المركز: اختاروا من {choices}"},
    "design": {"en": "is not a published design: choose one of {choices}",
               "fr": "n'est pas un modèle publié : choisissez parmi {choices}",
               "ar": "ليس تصميماً منشوراً: اختاروا من {choices}"},
    "variant": {"en": "is not a variant of this design: choose one of {choices}",
                "fr": "n'est pas une variante de ce modèle : choisissez parmi {choices}",
                "ar": "ليس نسخة من هذا التصميم: اختاروا من {choices}"},
    "duplicate_design": {"en": "lists {design} twice: give one line per design with the total quantity",
                         "fr": "cite {design} deux fois : une ligne par modèle avec la quantité totale",
                         "ar": "يذكر {design} مرتين: سطر واحد لكل تصميم مع الكمية الإجمالية"},
    "consent": {"en": "must be true: the hub needs your agreement to store your contact",
                "fr": "doit être coché : le hub a besoin de votre accord pour garder vos coordonnées",
                "ar": "يجب الموافقة: يحتاج المركز إلى موافقتكم لحفظ بيانات الاتصال"},
    "invalid": {"en": "is not valid", "fr": "n'est pas valide", "ar": "غير صالح"},
}

# pydantic's own error types -> our catalogue's key.
_ALIASES = {
    "int_parsing": "int_type", "int_from_float": "int_type",
    "float_type": "number_type", "float_parsing": "number_type", "finite_number": "number_type",
    "bool_parsing": "bool_type",
    "model_type": "object_type", "model_attributes_type": "object_type", "dict_type": "object_type",
    "tuple_type": "list_type",
    "greater_than": "greater_than_equal", "less_than": "less_than_equal",
}

GENERAL: dict[str, dict[str, str]] = {
    "invalid_request": {"en": "{count} field(s) missing or not valid: {names}.",
                        "fr": "{count} champ(s) manquant(s) ou non valide(s) : {names}.",
                        "ar": "{count} من الحقول ناقصة أو غير صالحة: {names}."},
    "not_an_object": {"en": "The body must be a JSON object.",
                      "fr": "Le corps doit être un objet JSON.",
                      "ar": "يجب أن يكون المحتوى كائن JSON."},
    "empty_body": {"en": "The body is empty: send a JSON object.",
                   "fr": "Le corps est vide : envoyez un objet JSON.",
                   "ar": "المحتوى فارغ: أرسلوا كائن JSON."},
    "not_utf8": {"en": "The body is not UTF-8 text.", "fr": "Le corps n'est pas du texte UTF-8.",
                 "ar": "المحتوى ليس نصاً بترميز UTF-8."},
    "invalid_json": {"en": "The body is not valid JSON{where}.",
                     "fr": "Le corps n'est pas du JSON valide{where}.",
                     "ar": "المحتوى ليس JSON صالحاً{where}."},
    "payload_too_large": {"en": "The body is larger than {limit} bytes.",
                          "fr": "Le corps dépasse {limit} octets.",
                          "ar": "يتجاوز المحتوى {limit} بايت."},
    "unsupported_media_type": {
        "en": "Send the request as JSON with the header Content-Type: application/json.",
        "fr": "Envoyez la demande en JSON avec l'en-tête Content-Type: application/json.",
        "ar": "أرسلوا الطلب بصيغة JSON مع الترويسة Content-Type: application/json."},
    "not_found": {"en": "Nothing found for this reference and code. Check both, or contact the hub.",
                  "fr": "Rien trouvé pour cette référence et ce code. Vérifiez-les, ou contactez le hub.",
                  "ar": "لا شيء مطابق لهذا المرجع وهذا الرمز. تحققوا منهما أو اتصلوا بالمركز."},
    "idempotency_conflict": {
        "en": "This form was already sent with other answers. Reload the page to send a new one.",
        "fr": "Ce formulaire a déjà été envoyé avec d'autres réponses. Rechargez la page pour en envoyer un nouveau.",
        "ar": "أُرسل هذا النموذج من قبل بإجابات أخرى. أعيدوا تحميل الصفحة لإرسال نموذج جديد."},
    "invalid_idempotency_key": {
        "en": "The Idempotency-Key header must be 16 to 128 letters, digits, _ or -.",
        "fr": "L'en-tête Idempotency-Key doit compter 16 à 128 lettres, chiffres, _ ou -.",
        "ar": "يجب أن تتكون الترويسة Idempotency-Key من 16 إلى 128 حرفاً أو رقماً أو _ أو -."},
    "rate_limited": {"en": "Too many submissions from your connection. Try again in {seconds} seconds.",
                     "fr": "Trop d'envois depuis votre connexion. Réessayez dans {seconds} secondes.",
                     "ar": "عدد كبير من الإرسالات من اتصالكم. حاولوا مجدداً بعد {seconds} ثانية."},
    "unavailable": {"en": "The service is not available right now. Please try again in a few "
                          "minutes or contact the hub.",
                    "fr": "Le service n'est pas disponible pour le moment. Réessayez dans quelques "
                          "minutes ou contactez le hub.",
                    "ar": "الخدمة غير متاحة حالياً. حاولوا مجدداً بعد بضع دقائق أو اتصلوا بالمركز."},
    "conflict": {"en": "The record changed meanwhile: reload the page and try again.",
                 "fr": "L'enregistrement a changé entre-temps : rechargez la page et réessayez.",
                 "ar": "تغيّر السجل في هذه الأثناء: أعيدوا تحميل الصفحة وحاولوا مجدداً."},
    # Coordination (allocations.Refused codes): what the records do not allow, and what to do.
    "over_allocated": {"en": "Only {left} unit(s) of this line are left to allocate.",
                       "fr": "Il ne reste que {left} unité(s) à attribuer sur cette ligne.",
                       "ar": "لم يتبقَّ من هذا البند سوى {left} وحدة للتخصيص."},
    "not_open": {"en": "This request is no longer open.",
                 "fr": "Cette demande n'est plus ouverte.",
                 "ar": "هذا الطلب لم يعد مفتوحاً."},
    "site_unavailable": {"en": "This site is not active or does not offer this design.",
                         "fr": "Ce site n'est pas actif ou ne propose pas ce modèle.",
                         "ar": "هذا الموقع غير نشط أو لا يعرض هذا التصميم."},
    "bad_item": {"en": "The line must be a number from 0 to {maximum}.",
                 "fr": "La ligne doit être un nombre de 0 à {maximum}.",
                 "ar": "يجب أن يكون رقم البند من 0 إلى {maximum}."},
    "bad_part": {"en": "The part must be one of this kit's parts: {choices}.",
                 "fr": "La pièce doit être l'une des pièces de ce kit : {choices}.",
                 "ar": "يجب أن تكون القطعة إحدى قطع هذه المجموعة: {choices}."},
    "bad_transition": {"en": "This step is not possible while the allocation is {current}.",
                       "fr": "Cette étape n'est pas possible tant que l'attribution est {current}.",
                       "ar": "هذه الخطوة غير ممكنة ما دامت حالة التخصيص {current}."},
    "bad_count": {"en": "The count must be from {minimum} to {maximum}.",
                  "fr": "Le nombre doit être compris entre {minimum} et {maximum}.",
                  "ar": "يجب أن يكون العدد من {minimum} إلى {maximum}."},
    "bad_reason": {"en": "Give a reason, one of: {choices}.",
                   "fr": "Donnez une raison parmi : {choices}.",
                   "ar": "اذكروا سبباً من بين: {choices}."},
    "bad_action": {"en": "The action must be one of: {choices}.",
                   "fr": "L'action doit être l'une de : {choices}.",
                   "ar": "يجب أن يكون الإجراء أحد: {choices}."},
    "bad_region": {"en": "The region must be one of: {choices}.",
                   "fr": "La région doit être l'une de : {choices}.",
                   "ar": "يجب أن تكون المنطقة إحدى: {choices}."},
    "bad_parameter": {"en": "This parameter must be from {minimum} to {maximum}.",
                      "fr": "Ce paramètre doit être compris entre {minimum} et {maximum}.",
                      "ar": "يجب أن تكون قيمة هذا المعامل من {minimum} إلى {maximum}."},
    "bad_cursor": {"en": "This cursor was not given by this list: start again without it.",
                   "fr": "Ce curseur ne vient pas de cette liste : recommencez sans lui.",
                   "ar": "هذا المؤشر لا يخص هذه القائمة: ابدؤوا من جديد دونه."},
    "has_allocations": {"en": "Cancel this request's allocations in progress before closing it.",
                        "fr": "Annulez les attributions en cours de cette demande avant de la clore.",
                        "ar": "ألغوا تخصيصات هذا الطلب الجارية قبل إغلاقه."},
    "not_a_repeat": {"en": "The other request is not an open request of the same organization "
                           "for the same design.",
                     "fr": "L'autre demande n'est pas une demande ouverte de la même organisation "
                           "pour le même modèle.",
                     "ar": "الطلب الآخر ليس طلباً مفتوحاً من المنظمة نفسها للتصميم نفسه."},
    "internal_error": {"en": "Something went wrong on the server.",
                       "fr": "Une erreur est survenue sur le serveur.",
                       "ar": "حدث خطأ في الخادم."},
    # Coordinators (chalicelib/coordinators.py): no token, or not a valid one; outside the scope.
    "unauthorized": {"en": "Sign in again: the coordinator token is missing, wrong, expired or revoked.",
                     "fr": "Reconnectez-vous : le jeton de coordination est absent, erroné, expiré ou révoqué.",
                     "ar": "سجّلوا الدخول من جديد: رمز التنسيق مفقود أو خاطئ أو منتهي الصلاحية أو ملغى."},
    "forbidden": {"en": "Your coordinator token does not cover this: ask a hub coordinator.",
                  "fr": "Votre jeton de coordination ne couvre pas ceci : demandez à un coordinateur du hub.",
                  "ar": "رمز التنسيق الخاص بكم لا يشمل هذا: اطلبوا ذلك من منسّق المركز."},
    # Plans (chalicelib/plans.py): the planner's proposal and its acceptance, line by line.
    "planner_unavailable": {"en": "The planner does not run here: plan with scripts/plan.py "
                                  "on a coordinator's computer.",
                            "fr": "Le planificateur ne tourne pas ici : planifiez avec "
                                  "scripts/plan.py sur l'ordinateur d'un coordinateur.",
                            "ar": "المخطِّط لا يعمل هنا: خطّطوا باستخدام scripts/plan.py على "
                                  "حاسوب أحد المنسّقين."},
    "plan_outdated": {"en": "This request changed since the plan was made: plan again.",
                      "fr": "Cette demande a changé depuis le plan : planifiez à nouveau.",
                      "ar": "تغيّر هذا الطلب منذ إعداد الخطة: خطّطوا من جديد."},
    "not_planned": {"en": "This line is not in the plan.",
                    "fr": "Cette ligne ne figure pas dans le plan.",
                    "ar": "هذا البند غير موجود في الخطة."},
    "plan_too_large": {"en": "Too many open requests for one plan: plan one region at a time.",
                       "fr": "Trop de demandes ouvertes pour un seul plan : planifiez une région à la fois.",
                       "ar": "الطلبات المفتوحة أكثر من أن تتسع لها خطة واحدة: خطّطوا لكل منطقة على حدة."},
}

_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*$")


# E-mails (chalicelib/notifications.py): ``<kind>_subject`` and ``<kind>_body`` per kind.
# {link} is the page with the token in its fragment, on a line of its own (a right-to-left
# sentence around a URL reads badly). Values: our references, counts, ISO dates, a design's
# published title; never a name or an address.
MAIL: dict[str, dict[str, str]] = {
    "allocation_proposed_subject": {
        "en": "New allocation proposed: {quantity} × {design}",
        "fr": "Nouvelle attribution proposée : {quantity} × {design}",
        "ar": "تخصيص جديد مقترح: {quantity} × {design}"},
    "allocation_proposed_body": {
        "en": "Hello,\n\n"
              "The hub proposes that you make {quantity} × “{design}”, needed by {needed_by}.\n\n"
              "Please accept or decline this allocation here:\n{link}\n\n"
              "If you cannot make them, declining is fine: the parts go back to the queue "
              "for another maker.\n\n"
              "This link is yours alone: please do not share it.\n\n"
              "Thank you for your help.\n",
        "fr": "Bonjour,\n\n"
              "Le hub vous propose de fabriquer {quantity} × « {design} », nécessaires "
              "d'ici le {needed_by}.\n\n"
              "Acceptez ou refusez cette attribution ici :\n{link}\n\n"
              "Si vous ne pouvez pas les fabriquer, vous pouvez refuser sans souci : les "
              "pièces retournent dans la file pour un autre atelier.\n\n"
              "Ce lien est personnel : merci de ne pas le partager.\n\n"
              "Merci pour votre aide.\n",
        "ar": "مرحباً،\n\n"
              "يقترح عليكم المركز صنع {quantity} × «{design}»، والمطلوبة قبل {needed_by}.\n\n"
              "اقبلوا هذا التخصيص أو اعتذروا عنه من هنا:\n{link}\n\n"
              "إذا تعذّر عليكم صنعها فلا بأس بالاعتذار: تعود القطع إلى قائمة الانتظار "
              "لصانع آخر.\n\n"
              "هذا الرابط خاص بكم: يُرجى عدم مشاركته.\n\n"
              "شكراً لمساعدتكم.\n"},
    "shipment_subject": {
        "en": "Your request {reference}: {count} part(s) shipped",
        "fr": "Votre demande {reference} : {count} pièce(s) expédiée(s)",
        "ar": "طلبكم {reference}: تم شحن {count} من القطع"},
    "shipment_body": {
        "en": "Hello,\n\n"
              "Good news: {count} part(s) of your request {reference} have been shipped.\n\n"
              "Follow your request here, and confirm the delivery when the parts arrive:\n"
              "{link}\n\n"
              "This link is yours alone: please do not share it.\n\n"
              "Thank you.\n",
        "fr": "Bonjour,\n\n"
              "Bonne nouvelle : {count} pièce(s) de votre demande {reference} ont été "
              "expédiées.\n\n"
              "Suivez votre demande ici, et confirmez la réception quand les pièces "
              "arrivent :\n{link}\n\n"
              "Ce lien est personnel : merci de ne pas le partager.\n\n"
              "Merci.\n",
        "ar": "مرحباً،\n\n"
              "خبر سار: تم شحن {count} من القطع الخاصة بطلبكم {reference}.\n\n"
              "تابعوا طلبكم من هنا، وأكّدوا الاستلام عند وصول القطع:\n{link}\n\n"
              "هذا الرابط خاص بكم: يُرجى عدم مشاركته.\n\n"
              "شكراً لكم.\n"},
    "reconfirm_subject": {
        "en": "Your request {reference}: do you still need these parts?",
        "fr": "Votre demande {reference} : avez-vous toujours besoin de ces pièces ?",
        "ar": "طلبكم {reference}: هل ما زلتم بحاجة إلى هذه القطع؟"},
    "reconfirm_body": {
        "en": "Hello,\n\n"
              "Your request {reference} is still open. Please tell us by {respond_by} "
              "whether you still need the parts:\n{link}\n\n"
              "If we have no answer by then, the hub may close the request so that makers "
              "can help elsewhere.\n\n"
              "This link is yours alone: please do not share it.\n\n"
              "Thank you.\n",
        "fr": "Bonjour,\n\n"
              "Votre demande {reference} est toujours ouverte. Dites-nous d'ici le "
              "{respond_by} si vous avez encore besoin des pièces :\n{link}\n\n"
              "Sans réponse à cette date, le hub pourra clore la demande pour que les "
              "ateliers puissent aider ailleurs.\n\n"
              "Ce lien est personnel : merci de ne pas le partager.\n\n"
              "Merci.\n",
        "ar": "مرحباً،\n\n"
              "ما زال طلبكم {reference} مفتوحاً. أخبرونا قبل {respond_by} إن كنتم ما زلتم "
              "بحاجة إلى القطع:\n{link}\n\n"
              "إذا لم يصلنا ردّ بحلول ذلك التاريخ، فقد يغلق المركز الطلب ليتمكن الصانعون "
              "من المساعدة في مكان آخر.\n\n"
              "هذا الرابط خاص بكم: يُرجى عدم مشاركته.\n\n"
              "شكراً لكم.\n"},
}


def negotiate(accept_language: str | None) -> str:
    """``"ar-MA,fr;q=0.8"`` -> ``"ar"``: the client's preferred language we speak, else en."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.partition(";")
        match = _TAG.match(tag)
        if not match:
            continue
        quality = 1.0
        q = re.search(r"q\s*=\s*([^;,\s]*)", params)
        if q:
            try:
                quality = float(q.group(1))
            except ValueError:
                continue  # a malformed weight: the entry is ignored
        lang = match.group(1).lower()
        if lang in LANGUAGES and quality > 0:
            key = (-quality, position, lang)
            if best is None or key < best:
                best = key
    return best[2] if best else DEFAULT_LANGUAGE


def _fill(template: str, values: Mapping[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def field_message(code: str, ctx: Mapping[str, Any] | None, lang: str) -> str:
    """One field's reason in ``lang``."""
    ctx = dict(ctx or {})
    key = _ALIASES.get(code, code)
    if key == "string_too_short" and ctx.get("min_length") == 1:
        key = "empty"
    entry = FIELD.get(key) or FIELD["invalid"]
    return _fill(entry.get(lang) or entry[DEFAULT_LANGUAGE], ctx)


def general(code: str, lang: str, **values: Any) -> str:
    entry = GENERAL[code]
    return _fill(entry.get(lang) or entry[DEFAULT_LANGUAGE], values)


def mail(code: str, lang: str, **values: Any) -> str:
    """One text of an e-mail (``MAIL``) in ``lang``, English when it has none."""
    entry = MAIL[code]
    return _fill(entry.get(lang) or entry[DEFAULT_LANGUAGE], values)
