"""Commands of the ``assess`` CLI that live in their own modules, registered in ``assess/cli.py``."""
