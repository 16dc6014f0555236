"""The HTTP API under `/api/v1` and what the web pages share with it: sessions, need-to-know, problems, limits."""
