"""notifier: letters to people whose old convictions were cleared in bulk.

The data flows decisions -> addresses -> letters -> batches -> costs -> returns;
each step is a subpackage, the database is the source of truth.
"""

__version__ = "0.1.0"
