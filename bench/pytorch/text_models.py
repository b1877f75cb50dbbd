"""PyTorch twins of Negentropy's text models (src/Negentropy/Models/TextCnn.cs, FastTextClassifier.cs).

Parameter names, shapes, initialization and the padding handling in forward match the C# modules, so
bench/pytorch/bench.py times the same computation. Inputs are token ids [batch, length], int64, with 0
as padding after the last token.

Initialization: TorchSharp 0.107 builds Conv1d and Linear in C# with PyTorch's defaults (Kaiming-uniform
weights with a = sqrt(5), biases uniform in +-1/sqrt(fan_in)). Its Embedding comes from libtorch's C++
frontend, which draws N(0, 1) and zeroes the padding row, as torch.nn.Embedding does. Its EmbeddingBag
does too, except that the C++ frontend zeroes the padding row before drawing, so the row stays random. Both
sides' FastText overwrite the whole table with fastText's uniform init and zero the padding row.
"""
import math

import torch
from torch import nn

TEXT_MODELS = ("textcnn", "fasttext")
TEXT_DEFAULT_WIDTHS = {"textcnn": 128, "fasttext": 64}
FILTER_SIZES = (3, 4, 5)
FILTERS_PER_SIZE = 100
SYNTHETIC_VOCABULARY = 20_000
SEQUENCE_LENGTH = 256
SYNTHETIC_CLASSES = 2
# Each synthetic row keeps a seeded number of tokens, uniform from ceil(length * 0.5) to length.
MINIMUM_TOKEN_SHARE = 0.5


class TextCnn(nn.Module):
    """Kim (2014): embeddings, 1-D convolutions of widths 3, 4 and 5 with ReLU, max over time, dropout, linear."""

    def __init__(self, vocabulary, width, classes, dropout):
        super().__init__()
        self.embeddings = nn.Embedding(vocabulary, width, padding_idx=0)
        self.convolutions = nn.ModuleList(nn.Conv1d(width, FILTERS_PER_SIZE, size) for size in FILTER_SIZES)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(FILTERS_PER_SIZE * len(FILTER_SIZES), classes)

    def forward(self, tokens):
        widest = max(FILTER_SIZES)
        if tokens.shape[1] < widest:
            # The widest filter needs that many positions; padding ids embed to zeros.
            tokens = nn.functional.pad(tokens, (0, widest - tokens.shape[1]), value=0)
        embedded = self.embeddings(tokens).transpose(1, 2)
        lengths = tokens.ne(0).sum(1, keepdim=True)
        pooled = []
        for size, convolution in zip(FILTER_SIZES, self.convolutions):
            features = torch.relu(convolution(embedded))
            # Windows that start past the text's last full window see only padding, so they are left out.
            # A text shorter than the filter keeps its first window.
            valid = (lengths - (size - 1)).clamp_min(1)
            starts = torch.arange(features.shape[2], device=tokens.device).unsqueeze(0)
            outside = starts.ge(valid).unsqueeze(1)
            pooled.append(features.masked_fill(outside, float("-inf")).amax(2))
        return self.classifier(self.dropout(torch.cat(pooled, 1)))


class FastText(nn.Module):
    """Joulin et al. (2017): the mean of the token embeddings without padding ids, dropout, linear."""

    def __init__(self, vocabulary, width, classes, dropout):
        super().__init__()
        self.embeddings = nn.EmbeddingBag(vocabulary, width, mode="mean", padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(width, classes)
        with torch.no_grad():
            bound = 1.0 / width
            self.embeddings.weight.uniform_(-bound, bound)
            self.embeddings.weight[0].zero_()

    def forward(self, tokens):
        return self.classifier(self.dropout(self.embeddings(tokens)))


def build_text(name, vocabulary, width, classes, dropout):
    model_type = TextCnn if name == "textcnn" else FastText
    return model_type(vocabulary, width, classes, dropout)


def text_forward_flops(name, width, length, classes):
    """Forward FLOPs per sample as the .NET FlopCount counts them.

    textcnn: multiply-adds x 2 of each convolution at all length - size + 1 output positions (the row
    padded to the widest filter when shorter), plus the linear layer. fasttext: one FLOP per embedding
    element for each of the row's positions, padding included, for the mean, plus the linear layer.
    Embedding lookups count as no FLOPs.
    """
    if name == "textcnn":
        length = max(length, max(FILTER_SIZES))
        flops = sum(2.0 * width * FILTERS_PER_SIZE * size * (length - size + 1) for size in FILTER_SIZES)
        return flops + 2.0 * FILTERS_PER_SIZE * len(FILTER_SIZES) * classes
    return float(length) * width + 2.0 * width * classes


def synthetic_text_pool(batches, batch_size, vocabulary, length):
    """Seeded token ids in [1, vocabulary) with trailing padding, and random labels 0 or 1, per batch."""
    generator = torch.Generator().manual_seed(7)
    minimum_tokens = max(1, math.ceil(length * MINIMUM_TOKEN_SHARE))
    positions = torch.arange(length).unsqueeze(0)
    inputs, targets = [], []
    for _ in range(batches):
        ids = torch.randint(1, vocabulary, (batch_size, length), generator=generator)
        token_counts = torch.randint(minimum_tokens, length + 1, (batch_size, 1), generator=generator)
        inputs.append(ids.masked_fill(positions.ge(token_counts), 0))
        targets.append(torch.randint(0, SYNTHETIC_CLASSES, (batch_size,), generator=generator))
    return inputs, targets


def fill_deterministic(model):
    """Set parameter k (in named_parameters order) to sin(0.37 i + k) / 4 at flat index i, computed in
    float64, then zero the embeddings' padding row, as training keeps it. The .NET parity test fills its
    model the same way, so both forward passes can be compared without shipping weights."""
    with torch.no_grad():
        for k, (_, parameter) in enumerate(model.named_parameters()):
            values = torch.arange(parameter.numel(), dtype=torch.float64).mul(0.37).add(k).sin().div(4)
            parameter.copy_(values.to(torch.float32).reshape(parameter.shape))
        model.embeddings.weight[0].zero_()


# Token rows for the forward-parity fixture: full, padded, one token, and all padding.
FORWARD_TOKENS = [
    [5, 3, 9, 2, 7, 1, 4],
    [6, 2, 8, 0, 0, 0, 0],
    [4, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
]
FORWARD_SHORT_TOKENS = [[3, 1], [2, 0]]


def text_parity_cases(dropout):
    """Parameter counts, output shapes, FLOPs and per-parameter init statistics of the text twins."""
    cases = []
    for name, width, vocabulary, length in [("textcnn", 128, 20_000, 256), ("textcnn", 32, 1_000, 3),
                                            ("fasttext", 64, 20_000, 256), ("fasttext", 16, 500, 10)]:
        model = build_text(name, vocabulary, width, SYNTHETIC_CLASSES, dropout).eval()
        with torch.no_grad():
            shape = list(model(torch.ones(3, length, dtype=torch.int64)).shape)
        tensors = [{"name": key, "shape": list(value.shape), "std": value.std().item()}
                   for key, value in model.named_parameters()]
        cases.append({"model": name, "width": width, "depth": 1, "batch": 3, "classes": SYNTHETIC_CLASSES,
                      "vocabulary_size": vocabulary, "sequence_length": length,
                      "parameters": sum(p.numel() for p in model.parameters()), "output_shape": shape,
                      "gflops_per_sample": text_forward_flops(name, width, length, SYNTHETIC_CLASSES) / 1e9,
                      "tensors": tensors,
                      "padding_row_norm": model.embeddings.weight[0].norm().item()})
    return cases


def text_forward_cases(dropout):
    """Logits of small text twins whose parameters fill_deterministic set, on rows with padding."""
    cases = []
    for name, tokens in [("textcnn", FORWARD_TOKENS), ("textcnn", FORWARD_SHORT_TOKENS),
                         ("fasttext", FORWARD_TOKENS), ("fasttext", FORWARD_SHORT_TOKENS)]:
        model = build_text(name, 12, 8, SYNTHETIC_CLASSES, dropout).eval()
        fill_deterministic(model)
        with torch.no_grad():
            logits = model(torch.tensor(tokens, dtype=torch.int64))
        cases.append({"model": name, "vocabulary_size": 12, "width": 8, "classes": SYNTHETIC_CLASSES,
                      "tokens": tokens, "logits": logits.tolist()})
    return cases
