"""The command-line interface: thin click commands over the library functions.

Not for logic: a command parses options, calls one library function and reports.
"""
