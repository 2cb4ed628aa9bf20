"""Core of the pilot-zone monitoring dashboard: read, validate, store, compute.

Never imports streamlit: the command line (`python -m core`) and the pages
call the same functions.
"""
