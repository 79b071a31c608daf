"""Usine API: everything the Chalice routes in ``app.py`` call (contract: ../README.md).

- ``config``: settings read lazily from the environment, hub.toml and the build manifest.
- ``fields``, ``models``, ``maker_models``, ``answers``: pydantic models of the bodies and
  answers (validation rules and the OpenAPI document, ``openapi``).
- ``validation``: HTTP body -> model, or an ``ApiError`` with dotted field paths;
  ``i18n``: its messages in fr, en, ar.
- ``handlers``: what each route does; ``responses``: JSON answers and CORS.
- ``store`` (requests), ``maker_store``, ``idempotency``, ``ratelimit``, ``stats``: DynamoDB;
  ``tables``: the table schema as data, ``ensure_table``.
- ``references``, ``tokens``: references people can read, secret tokens and their hashes.
"""
