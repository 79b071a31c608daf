"""Loaded by the fuzz run's `st` (SCHEMATHESIS_HOOKS): the document's phone numbers are
``"format": "phone"`` (libphonenumber's validity is no regular expression), and valid
ones are drawn from libphonenumber's own examples of every country."""

from api_helpers import register_phone_format

register_phone_format()
