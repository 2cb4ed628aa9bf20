"""Presentation shared by pages, report and downloads: palette, number formats, figures, table files."""
