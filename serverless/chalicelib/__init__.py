"""Usine request API: everything the Chalice routes in ``app.py`` call.

- ``config``: settings read lazily from the environment, hub.toml and the build manifest.
- ``models``: pydantic models of the bodies (validation rules, later the OpenAPI document).
- ``validation``: HTTP body -> model, or an ``ApiError`` with dotted field paths.
- ``handlers``: what each route does; ``responses``: JSON answers and CORS.
- ``store``: DynamoDB writes; ``tables``: the table schema as data, ``ensure_table``.
- ``references``: request references people can read over the phone.
"""
