"""The source article's derivations, one calc chain per module (``CHAIN``).

Each module encodes the lines of the article it names; where the article is wrong, the chain is
corrected and a comment says where and how the article differs.
"""

if __name__ != "mathcheck.derivations":  # imported by the bare folder name, every module would load twice
    raise ImportError(f"{__name__} installs as mathcheck.derivations: import mathcheck.derivations instead")
