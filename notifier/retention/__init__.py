"""Retention: once a notice is finished and the period has passed, its personal data is erased (`notifier purge`)."""
