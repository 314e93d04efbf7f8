"""Sentence vectors for meaning, offline: a static token table distilled from the sentence
encoder all-MiniLM-L6-v2 (`training/distill_encoder.py`, shipped in `data/encoder/`).

A text is split into the model's WordPiece tokens (the `tokenizers` package with the model's
vocabulary, lower-cased, accents stripped) and its vector is the mean of its tokens' rows,
L2-normalised. Deterministic, no download, no transformer at run time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from tokenizers import BertWordPieceTokenizer

ENCODER_DIR = Path(__file__).resolve().parent.parent / "data" / "encoder"
TABLE_FILE = "token_table.npy"
VOCAB_FILE = "vocab.txt"
#: Tokens read per text (the start says what a message wants; long mails cost no more).
MAX_TOKENS = 256
DIM = 384
_lock = threading.Lock()


class StaticEncoder:
    """Texts -> unit vectors (float32, DIM wide)."""

    def __init__(self, folder: Path = ENCODER_DIR) -> None:
        table = np.load(folder / TABLE_FILE).astype(np.float32)
        #: Centred: every row shares a large common component (the [CLS]/[SEP] context it was
        #: run in), which would make all texts look alike.
        self.table = table - table.mean(axis=0)
        self.tokenizer = BertWordPieceTokenizer(
            str(folder / VOCAB_FILE), lowercase=True, strip_accents=True, clean_text=True
        )
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        vocab = self.tokenizer.get_vocab()
        #: Ids left out of the mean: the special tokens the tokenizer adds.
        self.skip = np.asarray([vocab[t] for t in ("[CLS]", "[SEP]", "[PAD]") if t in vocab])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.table.shape[1]), dtype=np.float32)
        with _lock:  # the tokenizer's truncation state is shared
            encodings = self.tokenizer.encode_batch([t or "" for t in texts])
        lengths = np.asarray([len(e.ids) for e in encodings])
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encodings])
        weights = (~np.isin(ids, self.skip)).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        counts = sparse.csr_matrix((weights, ids, indptr), shape=(len(texts), len(self.table)))
        out = np.asarray(counts @ self.table, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


@lru_cache(maxsize=1)
def get_encoder() -> StaticEncoder:
    """The shipped encoder (loaded once per process)."""
    return StaticEncoder()
