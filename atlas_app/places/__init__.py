"""Places: country names and codes, the offline GeoNames gazetteer, the geocoding chain."""
