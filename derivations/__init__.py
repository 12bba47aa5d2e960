"""The source article's derivations, one calc chain per module (``CHAIN``).

Each module encodes the lines of the article it names; where the article is wrong, the chain is
corrected and a comment says where and how the article differs.
"""
