"""Classification: signals, the offline model, the LLM classifier and the combiner.

`classifier.build_classifier` puts them behind one `Classifier`; `result.ClassificationResult` is
what every path returns. Training, tuning, seed generation and evaluation live in `training/`.
"""
