#!/usr/bin/env python3
"""Writes src/Negentropy/Text/UnicodeData/nfkc.txt, the tables behind Negentropy.Text.UnicodeNormalizer.

.NET's string.Normalize does nothing for non-ASCII text when InvariantGlobalization is on, as it is
in this repository, so the library carries its own NFKC tables. They come from the unicodedata module
of the Python that runs this script, whose Unicode version the file header records.

Usage: python3 tools/unicode/make_nfkc_data.py
"""
import pathlib
import sys
import unicodedata

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "src/Negentropy/Text/UnicodeData/nfkc.txt"


def hex_codes(text):
    return " ".join(f"{ord(c):X}" for c in text)


def combining_class_ranges():
    """Yields (first, last, class) for runs of code points with the same nonzero combining class."""
    start, current = None, 0
    for code in range(0x110001):
        value = unicodedata.combining(chr(code)) if code <= 0x10FFFF else 0
        if value != current:
            if current:
                yield start, code - 1, current
            start, current = code, value


def decompositions():
    """Yields (code, full NFKD) for every code point that NFKD changes, except Hangul syllables."""
    for code in range(0x110000):
        if HANGUL_FIRST <= code <= HANGUL_LAST or 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char)
        if decomposed != char:
            yield code, decomposed


def primary_composites():
    """Yields (first, second, composite) for canonical pairs that NFC composes.

    A code point with a two-character canonical mapping is a primary composite exactly when NFC
    leaves it unchanged: composition exclusions and non-starter decompositions do not survive NFC.
    """
    for code in range(0x110000):
        if HANGUL_FIRST <= code <= HANGUL_LAST or 0xD800 <= code <= 0xDFFF:
            continue
        mapping = unicodedata.decomposition(chr(code))
        if not mapping or mapping.startswith("<"):
            continue
        parts = [int(part, 16) for part in mapping.split()]
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(code)) == chr(code):
            yield parts[0], parts[1], code


def main():
    lines = [
        f"# NFKC tables from Python {sys.version.split()[0]} unicodedata, Unicode {unicodedata.unidata_version}.",
        "# Written by tools/unicode/make_nfkc_data.py. Code points are hexadecimal.",
        "# ccc FIRST LAST CLASS: canonical combining class (decimal) of FIRST..LAST; all others have 0.",
        "# nfkd CODE MAPPING...: full compatibility decomposition; Hangul syllables are decomposed by rule.",
        "# pair FIRST SECOND COMPOSITE: canonical composition; Hangul syllables are composed by rule.",
    ]
    lines += [f"ccc {first:X} {last:X} {value}" for first, last, value in combining_class_ranges()]
    lines += [f"nfkd {code:X} {hex_codes(mapping)}" for code, mapping in decompositions()]
    lines += [f"pair {first:X} {second:X} {composite:X}" for first, second, composite in primary_composites()]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(lines)} lines)")


if __name__ == "__main__":
    main()
