"""The one exception type users see.

Every refusal of user input (a key, a value, a file, a column) raises
:class:`InputError` with one line that names what was wrong and what is
allowed. The command line prints that line and exits with status 2.
"""


class InputError(ValueError):
    """Bad user input: a one-line message naming the key, file or value.

    Examples
    --------
    >>> str(InputError("village.population: must be an integer in [1, 2000000], got -3"))
    'village.population: must be an integer in [1, 2000000], got -3'
    """


def did_you_mean(name: str, known) -> str:
    """``"did you mean X? "`` for the known name closest to ``name``, or nothing if none is close.

    Examples
    --------
    >>> did_you_mean("holowed", ["default", "hollowed", "suburban"])
    'did you mean hollowed? '
    >>> did_you_mean("atlantis", ["default", "hollowed"])
    ''
    """
    import difflib

    close = difflib.get_close_matches(name, [str(k) for k in known], n=1)
    return f"did you mean {close[0]}? " if close else ""


class WriteError(OSError):
    """Results could not be written (a full disk, a lost permission): one line naming the file and the cause.

    The target was left as it was (:mod:`villagesim.outputs`). The command
    line prints the line and exits with status 1.

    Examples
    --------
    >>> str(WriteError("cannot write out/chart.png: No space left on device"))
    'cannot write out/chart.png: No space left on device'
    """
