"""What WeasyPrint needs once per process: the font check, the
FontConfiguration, and a URL fetcher that fetches nothing.

A missing family, or missing letters, silently fall back to another font
(format.md), so the family of settings.DOCUMENT_LAYOUT is looked up with
fontconfig once per process, with the Vietnamese alphabet in four styles, and
raises ImproperlyConfigured when it is not there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_font_config: Any = None
_fonts_checked: set[str] = set()


def _missing_font(family: str, detail: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Thiếu phông {family} ({detail}): cài gói phông (fonts-croscore cho Tinos, "
        "fonts-liberation cho Liberation Serif) hoặc đổi DOCUMENT_FONT. "
        f"The font family {family!r} of DOCUMENT_LAYOUT is not installed with "
        "Vietnamese glyphs in all four styles; WeasyPrint would silently print "
        "with another font."
    )


def _fc_styles(fc_list: str, family: str, pattern: str) -> set[str]:
    """The styles ("regular", "bold", "italic", "bold italic") fontconfig has
    for `family` among the fonts matching `pattern`, read from weight and slant
    (style names vary: Regular, Book, Roman…)."""
    listed = subprocess.run(
        [fc_list, "--format", "%{family}\t%{weight}\t%{slant}\n", pattern],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    styles: set[str] = set()
    for line in listed.splitlines():
        families, _, rest = line.partition("\t")
        if family.casefold() not in (
            name.strip().casefold() for name in families.split(",")
        ):
            continue
        weight, _, slant = rest.partition("\t")
        # A variable font gives a range, "[0 210]": it has both ends.
        weights = [int(w) for w in re.findall(r"\d+", weight)]
        slants = [int(w) for w in re.findall(r"\d+", slant)]
        for w in weights:
            for sl in slants:
                name = (
                    ("bold" if w >= 200 else "regular")
                    if sl == 0
                    else ("bold italic" if w >= 200 else "italic")
                )
                styles.add(name)
    return styles


def check_font(family: str) -> None:
    """Raise unless fontconfig has `family` itself, with the Vietnamese
    alphabet, upright, bold, italic and bold italic.

    fc-list is asked, not fc-match: fc-match always answers with some font.
    The language matters: a family without some of "Ạ Ả Ấ … Ộ Ệ" (Liberation
    Serif 1.07) gets those letters from another font, silently.
    """
    if family in _fonts_checked:
        return
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise _missing_font(family, "không có lệnh fc-list / fc-list not found")
    escaped = family.replace("-", "\\-")
    styles = _fc_styles(fc_list, family, f"{escaped}:lang=vi")
    if not styles:
        if _fc_styles(fc_list, family, escaped):
            raise _missing_font(
                family, "phông thiếu chữ tiếng Việt / lacks Vietnamese glyphs"
            )
        raise _missing_font(
            family, "fontconfig không tìm thấy / not found by fontconfig"
        )
    if missing := {"regular", "bold", "italic", "bold italic"} - styles:
        raise _missing_font(
            family, "thiếu kiểu / missing styles: " + ", ".join(sorted(missing))
        )
    _fonts_checked.add(family)


def weasy_font_config() -> Any:
    """One FontConfiguration per process: creating one scans the system fonts."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def refusing_fetcher() -> Any:
    """The HTML carries its stylesheet inline and links nothing, so any fetch
    (file://, http, a font, an image) is refused and stops the rendering."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> Any:
            raise ValueError(f"Không tải tài nguyên ngoài khi in văn bản: {url}")

    return RefusingFetcher(fail_on_errors=True)
