"""Tables in focusable, named regions (sitegen/tables.py): a table that scrolls sideways
can be scrolled from the keyboard."""

from __future__ import annotations

import sitegen as sc

TABLE = "<table><tr><td>1</td></tr></table>"


def test_a_table_is_named_by_its_caption():
    page = "<h2 id='x'>Downloads</h2><table><caption>Files &amp; sizes</caption></table>"
    out = sc.focusable_tables(page)
    assert ('<div class="usine-table" tabindex="0" role="region" aria-label="Files &amp; '
            'sizes"><table><caption>') in out
    assert out.endswith("</table></div>")


def test_without_caption_the_heading_above_names_it_without_its_permalink():
    page = ('<h1>Page</h1><h2 id="p">Paramètres <code>"a"</code>'
            '<a class="headerlink" href="#p" title="Permanent link">¶</a></h2>' + TABLE)
    assert 'aria-label="Paramètres &#34;a&#34;"' in sc.focusable_tables(page)


def test_tables_under_the_same_design_get_different_names():
    page = ("<h2>Designs</h2><h3>Demo clip</h3><h4>Variants</h4>" + TABLE
            + "<h4>Parameters</h4>" + TABLE + "<h3>Panel</h3><h4>Variants</h4>" + TABLE
            + "<h2>Settings</h2>" + TABLE)
    names = [sc.table_name(page, i, TABLE) for i in
             (page.index(TABLE), page.index(TABLE, page.index("Parameters")),
              page.index(TABLE, page.index("Panel")), page.index(TABLE, page.index("Settings")))]
    assert names == ["Demo clip – Variants", "Demo clip – Parameters", "Panel – Variants",
                     "Settings"]
    assert sc.focusable_tables(page).count('tabindex="0" role="region"') == 4


def test_a_table_without_name_still_takes_focus():
    assert sc.focusable_tables(TABLE) == f'<div class="usine-table" tabindex="0">{TABLE}</div>'


def test_white_space_between_a_tables_tags_is_dropped_but_kept_in_its_cells():
    table = ('<table>\n<thead>\n<tr>\n<th>a</th>\n<th style="text-align: right;">b</th>\n'
             '</tr>\n</thead>\n<tbody>\n<tr>\n<td><code>x</code> <span>y</span></td>\n'
             '<td>\n  z\n</td>\n</tr>\n</tbody>\n</table>\n<p>after</p>')
    out = sc.focusable_tables(table)
    assert out == ('<div class="usine-table" tabindex="0"><table><thead><tr><th>a</th>'
                   '<th style="text-align: right;">b</th></tr></thead><tbody><tr>'
                   '<td><code>x</code> <span>y</span></td><td>\n  z\n</td></tr></tbody>'
                   '</table></div>\n<p>after</p>')
