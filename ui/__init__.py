"""Streamlit-only helpers shared by the pages: data access, filters, projector mode, rendering."""
