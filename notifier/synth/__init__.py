"""Synthetic decision exports: realistic, messy and deterministic for a seed.

They feed the demo, the tests and the benchmarks. Names and places come from the tables
in data/ (real Cook County city/ZIP pairs, common names); every record is invented.
"""
