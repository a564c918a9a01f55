"""The screening log (SPEC §9): every screening stored whole, every decision against its screening.

Layers inside: `tables` (the schema) and `store` (opening a SQLite file or PostgreSQL URL,
migrations, errors) under `screening_log` (recording and reading back), under `views` (list,
show, diff and export, as text, JSON and rows) and `lists` (recording a referral list chunk by
chunk). The command line, the web page and batch call these; nothing here prints or exits.
"""
