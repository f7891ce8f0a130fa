"""Folium map elements: the base map, the organisation layer, the choropleth."""
