"""Intake: read decision exports, validate every row, quarantine the bad ones, group by person.

- `fields`     the canonical export format (../shared/data/decisions-format.md)
- `rules`      pure validation of one row
- `notices`    pure rule for joining a decision to its person's open notice
- `mapping`    an office's own column names -> canonical names (config/mappings/)
- `readers`    streaming CSV / JSONL with line numbers, and the up-front file checks
- `importer`   importing a file (a service): chunks, duplicates, conflicts, notices, quarantine
- `consume`    decisions as messages: JSON lines on stdin, or one queue message at a time
- `quarantine` listing, showing and exporting the rows that were not imported
"""
