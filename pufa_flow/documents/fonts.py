"""The fonts and sizes of GB/T 9704-2012, named once.

Every font here is written into all four ``w:rFonts`` slots (ascii, hAnsi,
eastAsia, cs): Word picks ``w:eastAsia`` for Chinese characters, and a run or
style that leaves it unset inherits the theme's East Asian font — a Japanese
one (ＭＳ 明朝) in python-docx's default template.
"""
from docx.shared import Pt

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
#: for characters a GB2312 font has no glyph for (生僻字); 宋体 covers GBK, SimSun-ExtB the supplementary planes
FALLBACK_BMP = SONGTI
FALLBACK_SUPPLEMENTARY = "SimSun-ExtB"

#: what Word shows when a font is missing: fontTable's w:altName
ALT_NAMES = {
    XIAOBIAOSONG: SONGTI,
    FANGSONG: "仿宋",
    KAITI: "楷体",
}

SIZE_2 = Pt(22)   # 2号: title
SIZE_3 = Pt(16)   # 3号: body, headings
SIZE_4 = Pt(14)   # 4号: page numbers, 版记
SIZE_XIAO4 = Pt(12)  # 小四: dense tables
SIZE_5 = Pt(10.5)  # 5号: score tables

RED = "FF0000"
