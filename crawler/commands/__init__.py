"""Sub-commands of the ``datacity`` command line, one module each."""
