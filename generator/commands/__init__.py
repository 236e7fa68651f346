"""Command handlers that need more than the checker: `handler(args, out) -> exit status`.

Each module is imported only when its command runs, so `protocols check` never loads MkDocs.
"""
