"""Accounts: who may sign in to the staff web app, with which role, and their sessions."""
