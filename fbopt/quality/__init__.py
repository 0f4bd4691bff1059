"""The quality engine: one module per scorer (grammar, readability, sentiment, signals,
engagement, creativity), combined by fbopt.quality.score into scores in [0, 1]."""
