"""Input and output: streaming readers, atomic writers, column schemas, output paths, the report.

Not for any command's own logic.
"""
