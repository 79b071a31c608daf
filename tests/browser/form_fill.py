"""Filling the request and sign-up forms as a person does, through their visible labels
(so a label not wired to its control fails here), with values valid for the hub under test
(tests/browser/hubdata.py: its regions, postcode, registry and phone rules)."""

from __future__ import annotations

from datetime import date, timedelta

import sitegen as sc
from hubdata import PHONE, POSTCODE, REGION_IDS, REGISTRY


def fill_request(page, lang: str, quantity: str = "200", design: str = "demo-clip",
                 region: str | None = None) -> None:
    """Every field of the request form (docs/<lang>/request.md), one line of ``design``."""
    w = sc.form_words(lang)
    page.get_by_label(w["organization_name"]).fill("CHU de Caen")
    page.get_by_label(w["organization_type"]).select_option("hospital")
    if REGISTRY:  # the country's registry, optional, where hub.toml names one
        page.locator('[name="organization.registry_id"]').fill(REGISTRY)
    page.get_by_label(w["contact_name"]).fill("Jeanne Martin")
    page.get_by_label(w["contact_email"]).fill("jeanne.martin@example.org")
    page.get_by_label(w["contact_phone"]).fill(PHONE)
    page.get_by_label(w["delivery_region"]).select_option(region or REGION_IDS[0])
    page.get_by_label(w["delivery_postcode"]).fill(POSTCODE)
    page.get_by_label(w["delivery_address"]).fill("Avenue de la Côte de Nacre")
    page.locator('[name="items.0.design"]').select_option(design)
    page.locator('[name="items.0.quantity"]').fill(quantity)
    page.get_by_label(w["needed_by"]).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_label(w["notes"]).fill("Taille M surtout.")
    page.get_by_label(w["consent"]).check()


def fill_signup(page, lang: str, design: str = "demo-clip", variant: str | None = "20",
                units_per_day: str = "40", region: str | None = None) -> None:
    """Every field of the sign-up form (docs/<lang>/signup.md): one 3D printer line and one
    offer of ``design``."""
    w = sc.form_words(lang, "maker")
    page.get_by_label(w["name"]).fill("Fablab du Havre")
    page.locator('[name="kind"]').select_option("fablab")
    page.get_by_label(w["contact_name"]).fill("Ali Benali")
    page.get_by_label(w["contact_email"]).fill("ali@fablab.example")
    page.get_by_label(w["region"]).select_option(region or REGION_IDS[-1])
    page.get_by_label(w["postcode"]).fill(POSTCODE)
    page.locator('[name="machines.0.technology"]').select_option("fdm")
    page.locator('[name="machines.0.model"]').fill("Prusa MK3S")
    page.locator('[name="machines.0.count"]').fill("4")
    page.locator('[name="offers.0.design"]').select_option(design)
    if variant:
        page.locator('[name="offers.0.variant"]').select_option(variant)
    page.locator('[name="offers.0.units_per_day"]').fill(units_per_day)
    page.get_by_label(w["materials"]).fill("PETG, PLA")
    page.get_by_label(w["availability_from"]).fill(date.today().isoformat())
    page.get_by_label(w["availability_until"]).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_label(w["consent"]).check()
