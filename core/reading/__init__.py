"""Reading a county workbook's bytes into cells: file checks, bounded reading, headers, cell values."""
