"""Addresses: parse, standardize (USPS Publication 28) and verify.

Reference tables live in `data/` as CSV files, not in code.
"""
