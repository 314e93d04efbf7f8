"""classify.training."""
