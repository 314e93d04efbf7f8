"""Training-time tools of the classifier: seed generation and audit, retraining with corrections,
hyper-parameter tuning and evaluation. The app never needs them to classify.
"""
