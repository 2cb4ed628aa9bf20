"""The embedded demo zone: generated county workbooks loaded through the real ingest."""
