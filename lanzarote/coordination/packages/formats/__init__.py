"""The formats partners read: STIX 2.1, a MISP event, a PDF for a prosecutor, CSV."""
