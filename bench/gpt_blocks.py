"""bench/gpt.py's GPT written with microgradnet's building blocks: the same model and weights, far fewer nodes.

Each product of a weight matrix and a vector is `matvec` (a node per output, not two per weight), each
head of the causal self-attention `attention` (its scores, softmax and weighted sum of the values: a
node per output entry and one they share, not 3T + d), each RMSNorm `rmsnorm` (one scale node), the
token and position tables `nn.Embedding` and the loss `losses.cross_entropy` over the vocabulary
(log-sum-exp minus the target's logit). It starts from the weights that bench/gpt.py draws with the
same seed and trains with Adam of the same hyperparameters (microgradnet.optim.Adam: torch's formula,
the same math as bench/gpt.py's loop), so its losses are the 40-line Value's up to rounding.
"""

from __future__ import annotations

import random
from typing import Any

import microgradnet as mg
from bench.gpt import BOS, decode, encode
from microgradnet import Value
from microgradnet.losses import cross_entropy
from microgradnet.nn import Embedding
from microgradnet.optim import Adam as TorchAdam

__all__ = ["GPT", "Adam", "encode", "train"]

Cache = list[tuple[list[list[Value]], list[list[Value]]]]


class Adam(TorchAdam):
    """bench/gpt.py's Adam (β1 = 0.85, β2 = 0.99, each step zeroes the gradients) as microgradnet.optim.Adam."""

    def __init__(self, params: list[Value], lr: float = 0.01, beta1: float = 0.85, beta2: float = 0.99,
                 eps: float = 1e-8) -> None:  # fmt: skip
        super().__init__(params, lr, (beta1, beta2), eps)

    def step(self, lr: float | None = None) -> None:
        """One update at the learning rate lr (the one given at the start if None), then every grad set to 0."""
        if lr is None:
            super().step()
        else:
            self._update(lr)
            self.steps += 1
        self.zero_grad()


class GPT:
    def __init__(self, vocab_size: int = 27, n_embd: int = 16, n_head: int = 4, n_layer: int = 1,
                 block_size: int = 16, seed: int = 42) -> None:  # fmt: skip
        rng = random.Random(seed)

        def matrix(rows: int, cols: int, std: float = 0.08) -> list[list[Value]]:
            return [[Value(rng.gauss(0.0, std)) for _ in range(cols)] for _ in range(rows)]

        self.n_head, self.head_dim, self.block_size = n_head, n_embd // n_head, block_size
        self.wte = Embedding(vocab_size, n_embd, std=0.08, rng=rng)  # drawn as bench/gpt.py's matrices
        self.wpe = Embedding(block_size, n_embd, std=0.08, rng=rng)
        self.layers = [
            {
                "wq": matrix(n_embd, n_embd),
                "wk": matrix(n_embd, n_embd),
                "wv": matrix(n_embd, n_embd),
                "wo": matrix(n_embd, n_embd),
                "fc1": matrix(4 * n_embd, n_embd),
                "fc2": matrix(n_embd, 4 * n_embd),
            }
            for _ in range(n_layer)
        ]
        self.lm_head = matrix(vocab_size, n_embd)

    def parameters(self) -> list[Value]:
        mats = [self.wte.weight, self.wpe.weight, *[m for layer in self.layers for m in layer.values()], self.lm_head]
        return [p for mat in mats for row in mat for p in row]

    def __call__(self, token: int, pos: int, cache: Cache) -> list[Value]:
        """The logits of the next token, given this token at position pos; cache holds the keys and values so far."""
        x = [t + p for t, p in zip(self.wte(token), self.wpe(pos))]
        x = mg.rmsnorm(x)
        d = self.head_dim
        for layer, (keys, values) in zip(self.layers, cache):
            residual = x
            x = mg.rmsnorm(x)
            q, k, v = mg.matvec(layer["wq"], x), mg.matvec(layer["wk"], x), mg.matvec(layer["wv"], x)
            keys.append(k)
            values.append(v)
            heads: list[Value] = []
            for h in range(0, self.n_head * d, d):
                heads += mg.attention(
                    q[h : h + d], [key[h : h + d] for key in keys], [value[h : h + d] for value in values]
                )
            x = [a + b for a, b in zip(mg.matvec(layer["wo"], heads), residual)]
            residual = x
            x = [xi.relu() for xi in mg.matvec(layer["fc1"], mg.rmsnorm(x))]
            x = [a + b for a, b in zip(mg.matvec(layer["fc2"], x), residual)]
        return mg.matvec(self.lm_head, x)

    def loss(self, tokens: list[int]) -> Value:
        """The mean cross-entropy of predicting each next token of one name."""
        n = min(self.block_size, len(tokens) - 1)
        cache: Cache = [([], []) for _ in self.layers]
        losses = [cross_entropy(self(tokens[pos], pos, cache), tokens[pos + 1]) for pos in range(n)]
        return (1 / n) * mg.sum(losses)

    def sample(self, rng: random.Random, temperature: float = 0.5) -> str:
        """A new name, drawn a letter at a time (no graph is recorded)."""
        cache: Cache = [([], []) for _ in self.layers]
        token, out = BOS, []
        with mg.no_grad():
            for pos in range(self.block_size):
                probs = mg.softmax([z / temperature for z in self(token, pos, cache)])
                token = rng.choices(range(len(probs)), weights=[p.data for p in probs])[0]
                if token == BOS:
                    break
                out.append(token)
        return decode(out)


def train(model: GPT, docs: list[str], steps: int, lr: float = 0.01, log: Any = None) -> list[float]:
    """steps of Adam, one name each, the learning rate decaying linearly to 0; returns each step's loss."""
    opt = Adam(model.parameters(), lr)
    history = []
    for step in range(steps):
        loss = model.loss(encode(docs[step % len(docs)]))
        loss.backward()
        opt.step(lr * (1 - step / steps))
        history.append(loss.data)
        if log:
            log(step, loss.data)
    return history
