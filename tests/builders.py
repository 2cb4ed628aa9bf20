"""Build test workbooks from readable Python dicts: {sheet name: [row, row, ...]} -> .xlsx bytes.

Row 1 of a sheet is the first list; a string such as '#DIV/0!' becomes a real Excel
error cell (openpyxl writes it with t="e").
"""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl

# One school per type, cycling, so a small workbook exercises every grade band.
TYPES = ("小学", "初级中学", "九年一贯制学校", "完全中学", "高级中学", "十二年一贯制学校")
LESSONS = {"1-2": 4, "3-6": 3, "7-9": 3, "10-12": 2}
BANDS = {"小学": ("1-2", "3-6"), "初级中学": ("7-9",), "九年一贯制学校": ("1-2", "3-6", "7-9"),
         "完全中学": ("7-9", "10-12"), "高级中学": ("10-12",),
         "十二年一贯制学校": ("1-2", "3-6", "7-9", "10-12")}

ROSTER_HEADER = ["学校标识码", "学校名称", "所属县区", "学段类型", "城乡类型", "在校生数", "教学班数", "专任教师数"]
PE_HEADER = ["学校标识码", "学校名称", "体育课周课时(1-2年级)", "体育课周课时(3-6年级)", "体育课周课时(初中)",
             "体育课周课时(高中)", "日均校内体育活动时间(分钟)", "体质健康测试人数", "体质健康及格人数",
             "体质健康优良人数"]
HW_HEADER = ["学校标识码", "学校名称", "一二年级布置书面家庭作业", "三至六年级日均书面作业时长(分钟)",
             "初中日均书面作业时长(分钟)", "作业公示制度", "课后服务参与学生数"]
QUALITY_HEADER = ["学校标识码", "优质学校认定等级", "认定年份", "高于规定学历教师数", "县级及以上骨干教师数",
                  "体育艺术专任教师数", "教学及辅助用房面积(平方米)", "体育运动场馆面积(平方米)",
                  "教学仪器设备值(万元)", "网络多媒体教室数"]
WHOLE_CHILD_HEADER = ["学校标识码", "劳动教育周课时", "专职心理健康教师数", "兼职心理健康教师数", "合格家长学校",
                      "家长委员会"]


Merges = dict[str, list[tuple[int, int, int, int]]]  # sheet -> (first row, first col, last row, last col), 0-based


def build_workbook(sheets: dict[str, list[list]], path: Path | str | None = None,
                   merges: Merges | None = None) -> bytes:
    """An .xlsx with one sheet per dict entry (in order); also written to `path` when given.

    `merges` (0-based, inclusive) are merged ranges: as in Excel, the value stays in the top-left cell only.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for r0, c0, r1, c1 in (merges or {}).get(name, []):
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def school_code(i: int) -> str:
    """The i-th test school's 10-digit code (i from 1)."""
    return f"21900{i:05d}"


def valid_submission_sheets(county: str = "云岭县", period: str = "2026-10", n_schools: int = 6,
                            quality: bool = True, whole_child: bool = False) -> dict[str, list[list]]:
    """A small valid workbook as a dict: 填报说明, 学校名册, 体育, 作业 (and 优质学校, 综合育人), header in row 1."""
    roster, pe, hw, qual = [list(ROSTER_HEADER)], [list(PE_HEADER)], [list(HW_HEADER)], [list(QUALITY_HEADER)]
    whole = [list(WHOLE_CHILD_HEADER)]
    for i in range(1, n_schools + 1):
        stype = TYPES[(i - 1) % len(TYPES)]
        bands = BANDS[stype]
        code, name = school_code(i), f"{county}第{i}学校"
        students, classes, teachers = 400 + 10 * i, 10 + i // 4, 40
        roster.append([code, name, county, stype, ("城区", "镇区", "乡村")[i % 3], students, classes, teachers])
        lessons = [LESSONS[b] if b in bands else None for b in ("1-2", "3-6", "7-9", "10-12")]
        pe.append([code, name, *lessons, 60 + i % 60, None, None, None])
        compulsory = stype != "高级中学"
        hw.append([code, name, "否" if "1-2" in bands else None, 50 if "3-6" in bands else None,
                   80 if "7-9" in bands else None, "是", 300 if compulsory else None])
        qual.append([code, "市级" if i % 2 else "无", 2020 if i % 2 else None, 30, 8, 6,
                     5000.5, 8000, 250.25, 20])
        whole.append([code, 1 if i % 3 else 0.5, i % 2, None if i % 4 == 0 else 1, "是" if i % 5 else "否", "是"])
    sheets = {"填报说明": [["县区", county], ["报送月份", period], [], ["请按表头填写,不要修改表头。"]],
              "学校名册": roster, "体育": pe, "作业": hw}
    if quality:
        sheets["优质学校"] = qual
    if whole_child:
        sheets["综合育人"] = whole
    return sheets



def build_ods(sheets: dict[str, list[list]], merges: Merges | None = None) -> bytes:
    """The same workbook as an OpenDocument spreadsheet (.ods), written directly (no ODF library)."""
    from xml.sax.saxutils import escape, quoteattr
    merges = merges or {}
    tables = []
    for name, rows in sheets.items():
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges.get(name, [])}
        covered = {(r, c) for r0, c0, r1, c1 in merges.get(name, []) for r in range(r0, r1 + 1)
                   for c in range(c0, c1 + 1)} - set(spans)
        width = max([len(r) for r in rows] + [c1 + 1 for _, _, _, c1 in merges.get(name, [])] + [1])
        height = max([len(rows)] + [r1 + 1 for _, _, r1, _ in merges.get(name, [])])
        out = []
        for i in range(height):
            row = rows[i] if i < len(rows) else []
            cells = []
            for j in range(width):
                v = row[j] if j < len(row) else None
                if (i, j) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                span = spans.get((i, j))
                attrs = (f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
                         if span else "")
                if v is None or v == "":
                    cells.append(f"<table:table-cell{attrs}/>")
                elif isinstance(v, bool):
                    cells.append(f'<table:table-cell{attrs} office:value-type="boolean" '
                                 f'office:boolean-value="{str(v).lower()}"><text:p>{v}</text:p></table:table-cell>')
                elif isinstance(v, (int, float)):
                    cells.append(f'<table:table-cell{attrs} office:value-type="float" office:value="{v}">'
                                 f"<text:p>{v}</text:p></table:table-cell>")
                else:
                    cells.append(f'<table:table-cell{attrs} office:value-type="string">'
                                 f"<text:p>{escape(str(v))}</text:p></table:table-cell>")
            out.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}>{''.join(out)}</table:table>")
    return ods_package("".join(tables))


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_package(tables_xml: str) -> bytes:
    """An .ods zip around the given <table:table> elements."""
    import zipfile
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables_xml}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return buf.getvalue()


def build_xls(sheets: dict[str, list[list]], merges: Merges | None = None) -> bytes:
    """The same workbook as Excel 97-2003 (.xls, BIFF8) with xlwt (a dev-only dependency)."""
    import xlwt
    merges = merges or {}
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name, cell_overwrite_ok=True)
        merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges.get(name, [])}
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None or (i, j) in merged:
                    continue
                ws.write(i, j, v)
        for (r0, c0), (r1, c1) in merged.items():
            v = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
            ws.write_merge(r0, r1, c0, c1, "" if v is None else v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
