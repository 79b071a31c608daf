"""The one error the site generator raises for bad input."""

class SiteError(RuntimeError):
    """Input the site cannot be built from; the message says what to do."""

