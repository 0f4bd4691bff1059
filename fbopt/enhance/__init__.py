"""`fbopt enhance`: one module per strategy (grammar, readability, engagement, sentiment); the
enhancer keeps a strategy's change only when overall_quality rises and every protected span
(URLs, @mentions, #hashtags, numbers, prices, quoted text) is unchanged."""
