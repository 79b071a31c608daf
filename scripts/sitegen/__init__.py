"""What the site says: pure functions that turn the hub's data into Markdown, HTML and JS.

`scripts/gen_pages.py` (run by mkdocs-gen-files during each language's build) only reads
files and writes what these functions return, so tests check the content without MkDocs.
One module per job:

    errors        SiteError: input the site cannot be built from
    lang          the words of the site from the shared catalogs; language names, direction
    render        the one Jinja2 environment (templates in docs/overrides/usine/)
    inputs        hub.toml, build/manifest.json, designs/<slug>/ (Design)
    markdown      small Markdown helpers (table cells, sizes, RTL-safe spans, admonitions)
    downloads     the files a design page offers, their paths in the site, SHA256SUMS
    figures       production figures of a variant (print, cut, nesting...), generically
    catalog       the catalog page: cards with filters
    variant_panel the variant picker, 3D preview and per-variant panels of a design page
    design_page   a design's page
    archive       the zip of a whole design
    changelog     a design's changes from the git history of its folder
    technology    the "by technology" pages (settings, designs with their parameters)
    handwritten   docs/<lang>/ pages, English stand-ins for missing translations
    hub_config    assets/hub-config.js (API URL, regions, designs) for the forms
    forms         the request, maker sign-up and request-status forms, as data
    console       the coordinator console (its markup; console.js drives it)
    site_page     a site's allocations page; the allocations on the request-status page
    dashboard     the public dashboard (its markup; dashboard.js draws it with uPlot)
    context       SiteContext: what a marker's renderer may use
    markers       `<!-- usine:NAME -->` markers of hand-written pages and their renderers
    nav           the navigation of a language's site
    tables        every table in a focusable, named region (scrolls from the keyboard)

The names below are re-exported so that `import sitegen as sc` reaches them all.
"""

from .catalog import CATALOG_PAGE, catalog_markdown
from .context import SiteContext
from .archive import Archive, archive_path, design_archive
from .changelog import Change, changelog_markdown, git_log, parse_log
from .design_page import (STATUS_ADMONITION, PageExtras, allowed_text, default_variant,
                          design_markdown, design_page_path, instruction_images,
                          rebase_images, variants_table)
from .downloads import (DOWNLOADS_DIR, FILE_KINDS, SHARED_ROOT, checksums_path, checksums_text,
                        download_files, download_href, file_format, kind_order, sorted_files)
from .figures import duration, fastest, figure_rows
from .errors import SiteError
from .handwritten import fallback_page, handwritten_pages
from .hub_config import api_base_url, hub_config, hub_config_js, stage_of
from .inputs import Design, load_design, load_hub, load_manifest, pick, published_slugs
from .markdown import (admonition, cell, fmt_value, human_size, in_english, ltr,
                       shift_headings, untranslated_note)
from .markers import MARKERS, has_markers, marker, render_markers
from .nav import HANDWRITTEN_ORDER, nav
from .technology import (PROFILE_DIR, TECHNOLOGIES, parse_ini, profiles_used,
                         technologies, technology_markdown, technology_page_path)
from .tables import focusable_tables, table_name
from .forms import ORG_TYPES, maker_form_html, request_form_html, status_form_html
from .site_page import SITE_REASONS, site_allocations_html, status_allocations_html
from .dashboard import DASHBOARD_JS, UPLOT_CSS, UPLOT_JS, dashboard_html
from .variant_panel import PREVIEW_GLB_MAX, preview_glb, variant_block, varying_params
from .lang import (FALLBACK_LANG, STATUSES, form_words, language_name, status_label,
                   technology_label, text_direction, ui)
from .render import html_block, render as render_template

__all__ = [name for name in dir() if not name.startswith("_")]
