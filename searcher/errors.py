"""The one exception a user can cause: its message is printed as one line, never a traceback."""


class SearcherError(Exception):
    """A problem the user can fix (bad path, no index, bad query); ``str()`` says what."""
