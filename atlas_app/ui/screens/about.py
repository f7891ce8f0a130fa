"""About the atlas: what it is, who it serves, licence, sources and how to contribute."""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import available_languages, language_name
from atlas_app.ui import lang

_ = lang.current()
languages = _.items([language_name(code) for code in available_languages()])
st.title(_("About the Social Tech Atlas"))
st.markdown(_(
    "The Social Tech Atlas maps the European organisations that use digital technology "
    "for the common good: those that **support** the social economy in its digital "
    "transition, and those that offer **alternative digital tools and services**. Each "
    "dot is an organisation; each colour a sector. The atlas was launched in 2021 by the "
    "Social Good Accelerator, a European association for the digital transition of the "
    "social economy."))
st.subheader(_("Who it is for"))
st.markdown(_(
    "- **Everyone** can browse and search the map, in {languages}, on any device.\n"
    "- **Social-economy organisations** can find partners for their digital transition.\n"
    "- **Researchers and policy makers** can filter by country and sector and share the "
    "exact view they see: every view of the map is a link.",
    languages=languages))  # markdown: language names from CLDR
st.subheader(_("Languages"))
st.markdown(_(  # markdown: language names from CLDR
    "The interface speaks {languages}. Its translations are written by the atlas "
    "project; if one reads wrong, tell us at contact@socialgoodaccelerator.eu. "
    "Organisations' descriptions are shown in the language they were written in.",
    languages=languages))
st.subheader(_("Data, licence and sources"))
st.markdown(_(
    "- The registry is published under the **Creative Commons Attribution 4.0** licence "
    "(CC BY 4.0): reuse it, citing the Social Tech Atlas.\n"
    "- Organisations were compiled by the atlas contributors from each organisation's "
    "own public website.\n"
    "- Place names and coordinates: © GeoNames (CC BY 4.0). Country outlines: Natural "
    "Earth (public domain). Country names: Unicode CLDR.\n"
    "- When the address geocoder is used: © OpenStreetMap contributors (ODbL), via "
    "Nominatim."))
st.subheader(_("Suggest an organisation"))
st.markdown(_(
    "Know an organisation that belongs here? Write to the Social Good Accelerator at "
    "contact@socialgoodaccelerator.eu with its name, website, city and what it does. "
    "The atlas team reviews every suggestion before it appears on the map."))
