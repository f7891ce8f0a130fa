"""Research workspace: country focus, comparison, choropleth, cross-tab — and the data,
downloadable exactly as shown, with its licence and a citation."""

from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from atlas_app.i18n import N_
from atlas_app.places.countries import country_name
from atlas_app.public.filters import describe_filters
from atlas_app.registry.schema import KIND_LABELS, KINDS
from atlas_app.research.exports import Citation, export_bytes
from atlas_app.ui import lang
from atlas_app.ui import research_state as rs
from atlas_app.ui.research_views import RENDERERS, VIEW_LABELS
from atlas_app.ui.resources import (
    filter_mask,
    get_settings,
    get_taxonomy,
    published_rows,
    registry_index,
)

DOWNLOADS = (("csv", N_("CSV"), "text/csv", "csv"),
             ("csv-excel", N_("CSV for Excel (;)"), "text/csv", "csv"),
             ("xlsx", N_("Excel workbook"),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
             ("geojson", N_("GeoJSON"), "application/geo+json", "geojson"),
             ("datapackage", N_("Data package (zip)"), "application/zip", "zip"))



def _download(filters, ids, fmt: str, citation: Citation) -> bytes:
    """Whole rows, read when the button is pressed (the pages themselves hold only the
    columns they show)."""
    return export_bytes(published_rows(filters, ids), fmt, get_taxonomy(),
                        get_settings().data_dir, citation)


_ = lang.current()
taxonomy, index = get_taxonomy(), registry_index()
rs.init_from_url(taxonomy)
st.title(_("Research"))
if not len(index):
    st.info(_("The atlas has no published organisations yet."))
    st.stop()

countries = sorted(set(index.countries()) | set(st.session_state[rs.COUNTRY]),
                   key=lambda c: country_name(c, _.lang))
top = st.columns([2, 2, 2])
top[0].multiselect(_("Countries"), countries, key=rs.COUNTRY, placeholder=_("All countries"),
                   format_func=lambda c: country_name(c, _.lang))
top[1].multiselect(_("Sectors"), list(taxonomy.ids), key=rs.SECTOR, placeholder=_("All sectors"),
                   format_func=lambda s: taxonomy.get(s).label(_.lang))
top[2].pills(_("Kind"), list(KINDS), key=rs.KIND, selection_mode="multi",
             format_func=lambda k: _(KIND_LABELS[k]))
view = st.segmented_control(_("View"), rs.VIEWS, key=rs.VIEW, required=True,
                            format_func=lambda v: _(VIEW_LABELS[v]))
filters = rs.current_filters()
shown = index.select(filter_mask(index, filters))
sentence = describe_filters(filters, len(shown), len(index), taxonomy, _.lang)
with st.container(key="research-summary"):
    st.markdown(sentence)  # markdown: research filters have no free text, only labels
if shown.empty:
    st.warning(_("No organisation matches these filters."))
else:
    RENDERERS[view or rs.VIEWS[0]](shown, taxonomy, _)

st.subheader(_("Download exactly this data"))
citation = Citation(index.revision, dt.date.today(), sentence)  # the data shown
for cell, (fmt, label, mime, extension) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS):
    cell.download_button(_(label), functools.partial(_download, filters, shown["id"], fmt, citation),
                         file_name=f"social-tech-atlas-{citation.version}.{extension}",
                         mime=mime, key=f"download-{fmt}", on_click="ignore")
st.caption(_("Licence: CC BY 4.0. Sources: the Social Tech Atlas registry; places © GeoNames "
             "(CC BY 4.0); country names from Unicode CLDR."))
with st.expander(_("Cite this data")):
    st.code(citation.text(), language=None)
    st.code(citation.bibtex(), language="bibtex")
rs.write_url()
