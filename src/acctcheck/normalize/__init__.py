"""Text views of a field with offset maps back to what the user typed.

- skeleton (`skeleton.py`): NFKC, width, case, invisible characters and separators removed, number styles,
  traditional→simplified, look-alike folding. Term matching runs here.
- pinyin (`pinyin.py`): one token per syllable; Chinese characters and Latin pinyin typed by the user line up.
- contact (`contact.py`): like the skeleton but separators kept, for contact detectors written as regexes.
"""

from acctcheck.normalize.chars import CharFolder, Flag
from acctcheck.normalize.view import View

__all__ = ["CharFolder", "Flag", "View"]
