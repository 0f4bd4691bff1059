"""Engagement prediction: input formats, features, the torch ensemble, training and prediction.

Not for scoring text quality (fbopt.quality) or for choosing models (fbopt.drafts.selector); `learn`
feeds real outcomes to fbopt.feedback, which the selector reads.
"""
