"""The generate path as one package: the stage (topics in, drafts out), the plan (selector, prompt
book, catalog), the calls (dispatch, limits) and the row checks; records.py holds what they share.

Not for state every command uses (fbopt.cache, fbopt.checkpoint, fbopt.feedback stay at the top).
It is called `drafts`, not `generate`, because `fbopt.generate` is the public function that
fbopt/__init__.py exports: a subpackage of that name would shadow it once imported.
"""
