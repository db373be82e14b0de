"""Operations: one function per user intention, one transaction each.

Views, the API and the CLI call these and nothing else changes data.
"""
