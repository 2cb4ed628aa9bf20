"""The monthly report (月报): narrative, Excel workbook, A4 PDF and the PNG screenshot pack."""
