"""A GPT from scratch on a scalar Value, written the way the scalar-autograd GPTs of 2026 write one.

Token and position embeddings, causal self-attention over a cache of keys and values with a softmax
written as exp(x - max) / sum, RMSNorm written as (mean of squares + 1e-5) ** -0.5, a ReLU MLP
block, residual connections, a cross-entropy as -log(prob) and Adam by hand, trained one first name
at a time. Every number is a Value and every operation a node: a step on a name of four letters
builds about 38,000 nodes, on one of six 54,000.

The engine is named once, by the import below. `bench/gpt_bench.py` runs this very source with that
line alone changed (`from microgradnet import Value`), which is how microgradnet is measured as a
drop-in replacement.
"""

import math
import random

from bench.value40 import Value

BOS = 0  # the token that starts and ends every name; the letters a..z are 1..26


def load_names(path_female, path_male):
    """The distinct first names of two US-census lists (one name per line, first column), lower case."""
    out = []
    for path in (path_female, path_male):
        with open(path) as f:
            out += [line.split()[0].lower() for line in f if line.strip()]
    return sorted(set(out))


def encode(name):
    return [BOS] + [ord(c) - ord("a") + 1 for c in name] + [BOS]


def decode(tokens):
    return "".join(chr(t - 1 + ord("a")) for t in tokens if t != BOS)


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def softmax(logits):
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


class GPT:
    def __init__(self, vocab_size=27, n_embd=16, n_head=4, n_layer=1, block_size=16, seed=42):
        rng = random.Random(seed)

        def matrix(rows, cols, std=0.08):
            return [[Value(rng.gauss(0.0, std)) for _ in range(cols)] for _ in range(rows)]

        self.n_head, self.head_dim, self.block_size = n_head, n_embd // n_head, block_size
        self.wte = matrix(vocab_size, n_embd)
        self.wpe = matrix(block_size, n_embd)
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

    def parameters(self):
        mats = [self.wte, self.wpe, *[m for layer in self.layers for m in layer.values()], self.lm_head]
        return [p for mat in mats for row in mat for p in row]

    def __call__(self, token, pos, cache):
        """The logits of the next token, given this token at position pos; cache holds the keys and values so far."""
        x = [t + p for t, p in zip(self.wte[token], self.wpe[pos])]
        x = rmsnorm(x)
        for layer, (keys, values) in zip(self.layers, cache):
            residual = x
            x = rmsnorm(x)
            q, k, v = linear(x, layer["wq"]), linear(x, layer["wk"]), linear(x, layer["wv"])
            keys.append(k)
            values.append(v)
            heads = []
            d = self.head_dim
            for h in range(0, self.n_head * d, d):
                scores = [sum(qi * ki for qi, ki in zip(q[h : h + d], key[h : h + d])) / d**0.5 for key in keys]
                weights = softmax(scores)
                heads += [sum(w * value[h + j] for w, value in zip(weights, values)) for j in range(d)]
            x = [a + b for a, b in zip(linear(heads, layer["wo"]), residual)]
            residual = x
            x = [xi.relu() for xi in linear(rmsnorm(x), layer["fc1"])]
            x = [a + b for a, b in zip(linear(x, layer["fc2"]), residual)]
        return linear(x, self.lm_head)

    def loss(self, tokens):
        """The mean cross-entropy of predicting each next token of one name."""
        n = min(self.block_size, len(tokens) - 1)
        cache = [([], []) for _ in self.layers]
        losses = []
        for pos in range(n):
            probs = softmax(self(tokens[pos], pos, cache))
            losses.append(-probs[tokens[pos + 1]].log())
        return (1 / n) * sum(losses)

    def sample(self, rng, temperature=0.5):
        cache = [([], []) for _ in self.layers]
        token, out = BOS, []
        for pos in range(self.block_size):
            probs = softmax([z / temperature for z in self(token, pos, cache)])
            token = rng.choices(range(len(probs)), weights=[p.data for p in probs])[0]
            if token == BOS:
                break
            out.append(token)
        return decode(out)


class Adam:
    def __init__(self, params, lr=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)
        self.t = 0

    def step(self, lr=None):
        lr = self.lr if lr is None else lr
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        for i, p in enumerate(self.params):
            self.m[i] = b1 * self.m[i] + (1 - b1) * p.grad
            self.v[i] = b2 * self.v[i] + (1 - b2) * p.grad**2
            m_hat = self.m[i] / (1 - b1**self.t)
            v_hat = self.v[i] / (1 - b2**self.t)
            p.data -= lr * m_hat / (math.sqrt(v_hat) + self.eps)
            p.grad = 0


def train(model, docs, steps, lr=0.01, log=None):
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


if __name__ == "__main__":
    import names

    docs = load_names(names.FILES["first:female"], names.FILES["first:male"])
    random.Random(42).shuffle(docs)
    model = GPT()
    print(f"{len(docs)} names, {len(model.parameters())} parameters")
    train(model, docs, 300, log=lambda step, loss: print(f"step {step + 1:4d} | loss {loss:.4f}"))
    rng = random.Random(0)
    print(*[model.sample(rng) for _ in range(10)])
