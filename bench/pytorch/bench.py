#!/usr/bin/env python3
"""PyTorch twin of `negentropy bench`: the same cnn, resnet, textcnn and fasttext, layer for layer, timed the same way.

Usage:
  /usr/bin/python3 bench/pytorch/bench.py --model cnn [--data synthetic|fashion-mnist] [--batch-size 128]
      [--threads 2] [--steps 30] [--warmup-steps 5] [--inference-batches 10] [--latency-runs 50]
      [--width W] [--depth D] [--channels-last] [--precision fp32|bf16]
  /usr/bin/python3 bench/pytorch/bench.py --model textcnn|fasttext [--data synthetic]
      [--vocabulary-size 20000] [--sequence-length 256] [--width W] [other timing options as above]
  /usr/bin/python3 bench/pytorch/bench.py --model textcnn --data spam-assassin --pool FILE
      # FILE from: negentropy bench --model textcnn --data spam-assassin --save-pool FILE
  /usr/bin/python3 bench/pytorch/bench.py --parity-fixture FILE   # parameter counts, output shapes, FLOPs

--pool FILE times the batches that the .NET side wrote with --save-pool, for any model and data mode;
it is the only way to read SpamAssassin here, because the tokenizers are the .NET ones.
--precision bf16 converts the trained model and the floating batches to bfloat16 for the inference and
latency runs, as `negentropy bench --precision bf16` does; training runs in fp32 either way.
The last line printed is JSON with the same fields as the .NET side. Needs Debian's python3-torch.
"""
import argparse
import gzip
import json
import resource
import statistics
import time

import numpy as np
import torch
from torch import nn

from pool_file import PoolFileError, read_pool
from text_models import (SEQUENCE_LENGTH, SYNTHETIC_CLASSES, SYNTHETIC_VOCABULARY, TEXT_DEFAULT_WIDTHS, TEXT_MODELS, build_text,
                         synthetic_text_pool, text_forward_cases, text_forward_flops, text_parity_cases)

POOL_BATCHES = 8
LEARNING_RATE = 0.002
WEIGHT_DECAY = 5e-4
DROPOUT = 0.2
DEFAULTS = {"cnn": (32, 2), "resnet": (16, 14)}
FASHION_MNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
FASHION_MNIST_LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"
CPU_INFO = "/proc/cpuinfo"
BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")


def initialize(model):
    """Kaiming-normal convolutions (fan_out, ReLU), batch norm 1 and 0, linear layers left at PyTorch's default."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


class ConvNet(nn.Module):
    def __init__(self, width, depth, channels=1, size=28, classes=10):
        super().__init__()
        blocks = []
        for block in range(depth):
            out = width << block
            blocks.append(nn.Sequential(nn.Conv2d(channels, out, 3, padding=1, bias=False), nn.BatchNorm2d(out),
                                        nn.ReLU(inplace=True), nn.MaxPool2d(2)))
            channels, size = out, size // 2
        hidden = 4 * width
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(DROPOUT), nn.Linear(channels * size * size, hidden),
                                        nn.ReLU(inplace=True), nn.Dropout(DROPOUT), nn.Linear(hidden, classes))
        initialize(self)

    def forward(self, x):
        return self.classifier(self.features(x))


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        branch = self.bn2(self.conv2(torch.relu_(self.bn1(self.conv1(x)))))
        shortcut = x if self.downsample is None else self.downsample(x)
        return torch.relu_(branch.add_(shortcut))


class ResNet(nn.Module):
    def __init__(self, width, depth, channels=1, classes=10):
        super().__init__()
        per_stage = (depth - 2) // 6
        self.stem = nn.Sequential(nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        blocks, inputs = [], width
        for stage in range(3):
            out = width << stage
            for i in range(per_stage):
                blocks.append(BasicBlock(inputs, out, 2 if stage > 0 and i == 0 else 1))
                inputs = out
        self.layers = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(DROPOUT), nn.Linear(inputs, classes))
        initialize(self)
        for block in self.layers:
            nn.init.zeros_(block.bn2.weight)

    def forward(self, x):
        return self.head(self.layers(self.stem(x)))


def build(name, width, depth):
    return ConvNet(width, depth) if name == "cnn" else ResNet(width, depth)


def forward_flops(name, width, depth, size=28, classes=10):
    """Multiply-adds × 2 of the convolution and linear layers, as the .NET FlopCount counts them."""
    def conv(cin, cout, k, h, w):
        return 2.0 * cin * cout * k * k * h * w
    if name == "cnn":
        flops, channels = 0.0, 1
        for block in range(depth):
            out = width << block
            flops += conv(channels, out, 3, size, size)
            channels, size = out, size // 2
        hidden = 4 * width
        return flops + 2.0 * channels * size * size * hidden + 2.0 * hidden * classes
    flops, inputs = conv(1, width, 3, size, size), width
    for stage in range(3):
        out = width << stage
        for i in range((depth - 2) // 6):
            stride = 2 if stage > 0 and i == 0 else 1
            size = (size + stride - 1) // stride
            flops += conv(inputs, out, 3, size, size) + conv(out, out, 3, size, size)
            if stride != 1 or inputs != out:
                flops += conv(inputs, out, 1, size, size)
            inputs = out
    return flops + 2.0 * inputs * classes


def read_idx(path, offset):
    with gzip.open(path, "rb") as stream:
        return np.frombuffer(stream.read(), dtype=np.uint8, offset=offset)


def image_pool(args):
    if args.data == "synthetic":
        generator = torch.Generator().manual_seed(7)
        images = [torch.randn(args.batch_size, 1, 28, 28, generator=generator) for _ in range(POOL_BATCHES)]
        targets = [torch.randint(0, 10, (args.batch_size,), generator=generator) for _ in range(POOL_BATCHES)]
        return images, targets
    count = min(60000, POOL_BATCHES * args.batch_size)
    pixels = read_idx(FASHION_MNIST, 16)[: count * 784].reshape(count, 1, 28, 28).astype(np.float32) / np.float32(255)
    labels = read_idx(FASHION_MNIST_LABELS, 8)[:count].astype(np.int64)
    mean, std = pixels.mean(dtype=np.float64), pixels.std(dtype=np.float64)
    normalized = torch.from_numpy((pixels - np.float32(mean)) / np.float32(std))
    index = [torch.arange(i * args.batch_size, (i + 1) * args.batch_size) % count for i in range(POOL_BATCHES)]
    return [normalized[i] for i in index], [torch.from_numpy(labels)[i] for i in index]


def matmul_peak(size=2048, repeats=7):
    generator = torch.Generator().manual_seed(1)
    a = torch.randn(size, size, generator=generator)
    b = torch.randn(size, size, generator=generator)
    with torch.no_grad():
        for _ in range(2):
            a.matmul(b)
        rates = []
        for _ in range(repeats):
            started = time.perf_counter()
            a.matmul(b)
            rates.append(2.0 * size ** 3 / (time.perf_counter() - started) / 1e9)
    return statistics.median(rates)


def workload(args):
    """Return (batches, targets, model, forward FLOPs, description, model-specific fields of the JSON line)."""
    header = None
    if args.pool:
        header, inputs, targets = read_pool(args.pool)
        check_pool(args, header)
    elif args.model in TEXT_MODELS:
        inputs, targets = synthetic_text_pool(POOL_BATCHES, args.batch_size, args.vocabulary_size or SYNTHETIC_VOCABULARY,
                                              args.sequence_length or SEQUENCE_LENGTH)
    else:
        inputs, targets = image_pool(args)
    if args.model in TEXT_MODELS:
        vocabulary = header["vocabulary_size"] if header else args.vocabulary_size or SYNTHETIC_VOCABULARY
        classes = header["classes"] if header else SYNTHETIC_CLASSES
        width, length = args.width or TEXT_DEFAULT_WIDTHS[args.model], inputs[0].shape[1]
        model = build_text(args.model, vocabulary, width, classes, DROPOUT)
        forward = text_forward_flops(args.model, width, length, classes)
        fields = {"vocabulary_size": vocabulary, "sequence_length": length}
        return inputs, targets, model, forward, f"{args.model} width {width}, vocabulary {vocabulary:,}, length {length}", fields
    width, depth = args.width or DEFAULTS[args.model][0], args.depth or DEFAULTS[args.model][1]
    model = build(args.model, width, depth)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    fields = {"memory_format": "channels_last" if args.channels_last else "contiguous"}
    return inputs, targets, model, forward_flops(args.model, width, depth), f"{args.model} width {width} depth {depth}", fields


def check_pool(args, header):
    """Raise PoolFileError when the pool was written for other settings than these arguments."""
    def mismatch(setting, fix):
        raise PoolFileError(f"{args.pool} was written for {setting}; {fix}")
    if header["model"] != args.model:
        mismatch(f"--model {header['model']}", f"pass --model {header['model']}, or write a pool with "
                 f"negentropy bench --model {args.model} --save-pool FILE")
    if args.data != header["data"]:
        mismatch(f"--data {header['data']}", f"pass --data {header['data']}")
    if args.batch_size != header["input_shape"][0]:
        mismatch(f"--batch-size {header['input_shape'][0]}", f"pass --batch-size {header['input_shape'][0]}")
    if args.sequence_length and args.sequence_length != header["sequence_length"]:
        mismatch(f"--sequence-length {header['sequence_length']}", f"pass --sequence-length {header['sequence_length']}")
    # With SpamAssassin, --vocabulary-size was the .NET tokenizer's bound, and the pool records the ids it produced.
    if args.vocabulary_size and header["data"] == "synthetic" and args.vocabulary_size != header["vocabulary_size"]:
        mismatch(f"--vocabulary-size {header['vocabulary_size']}", f"pass --vocabulary-size {header['vocabulary_size']}")


def run(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    inputs, targets, model, forward, description, extra_fields = workload(args)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{description}: {parameters:,} parameters; batch {args.batch_size}, "
          f"{torch.get_num_threads()} threads, {args.data} data (PyTorch {torch.__version__})")

    model.train()
    started = 0.0
    phases = [0.0, 0.0, 0.0]
    for step in range(args.warmup_steps + args.steps):
        if step == args.warmup_steps:
            started = time.perf_counter()
            phases = [0.0, 0.0, 0.0]
        batch = step % len(inputs)
        phase = time.perf_counter()
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs[batch]), targets[batch])
        after_forward = time.perf_counter()
        loss.backward()
        after_backward = time.perf_counter()
        optimizer.step()
        after_step = time.perf_counter()
        phases[0] += after_forward - phase
        phases[1] += after_backward - after_forward
        phases[2] += after_step - after_backward
    train_rate = args.steps * args.batch_size / (time.perf_counter() - started)

    if args.precision == "bf16":
        model = model.to(torch.bfloat16)
        inputs = [batch.to(torch.bfloat16) if batch.is_floating_point() else batch for batch in inputs]
    model.eval()
    with torch.no_grad():
        for i in range(2):
            shape = list(model(inputs[i % len(inputs)]).shape)
        # .float() casts bf16 logits to float32, as the .NET side's BFloat16Model does; for fp32 it returns the tensor itself.
        started = time.perf_counter()
        for i in range(args.inference_batches):
            model(inputs[i % len(inputs)]).float()
        inference_rate = args.inference_batches * args.batch_size / (time.perf_counter() - started)
        one = inputs[0][:1].contiguous()
        times = []
        for i in range(-3, args.latency_runs):
            started = time.perf_counter()
            model(one).float()
            if i >= 0:
                times.append((time.perf_counter() - started) * 1000)
    times.sort()
    latency = times[args.latency_runs // 2]
    peak = matmul_peak()
    result = {
        "runtime": "pytorch", "model": args.model, "data": args.data, "batch_size": args.batch_size, **extra_fields,
        "threads": torch.get_num_threads(), "steps": args.steps, "parameters": parameters, "output_shape": shape,
        "train_samples_per_second": train_rate, "inference_precision": args.precision, "inference_samples_per_second": inference_rate,
        "latency_ms_batch1": latency, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "gflops_per_sample": forward / 1e9, "matmul_peak_gflops": peak,
        "fraction_of_matmul_peak": train_rate * 3 * forward / (peak * 1e9),
        "forward_ms_per_step": phases[0] * 1000 / args.steps, "backward_ms_per_step": phases[1] * 1000 / args.steps,
        "optimizer_ms_per_step": phases[2] * 1000 / args.steps,
    }
    print(f"train {train_rate:.0f} samples/s (fp32), inference {inference_rate:.0f} samples/s, latency {latency:.2f} ms ({args.precision}), "
          f"{result['fraction_of_matmul_peak']:.1%} of the {peak:.1f} GFLOP/s matmul peak")
    print(json.dumps(result))


def parity_fixture(path):
    """Parameter counts, output shapes and FLOPs of the twins, the text twins' init statistics, and the
    logits of small text twins with fixed parameters, for the .NET tests that compare the models."""
    cases = []
    for name, width, depth in [("cnn", 32, 2), ("cnn", 16, 3), ("resnet", 16, 14), ("resnet", 8, 20)]:
        model = build(name, width, depth).eval()
        with torch.no_grad():
            shape = list(model(torch.zeros(3, 1, 28, 28)).shape)
        cases.append({"model": name, "width": width, "depth": depth, "batch": 3, "classes": 10,
                      "parameters": sum(p.numel() for p in model.parameters()), "output_shape": shape,
                      "gflops_per_sample": forward_flops(name, width, depth) / 1e9})
    torch.manual_seed(42)
    cases += text_parity_cases(DROPOUT)
    fixture = {"torch_version": torch.__version__, "cases": cases, "forward_cases": text_forward_cases(DROPOUT)}
    with open(path, "w") as stream:
        json.dump(fixture, stream, indent=2)
        stream.write("\n")


def check_arguments(parser, args):
    """Reject the combinations that `negentropy bench` rejects, with the same advice."""
    text = args.model in TEXT_MODELS
    if text and args.data == "fashion-mnist":
        parser.error(f"--data fashion-mnist contains images, but --model {args.model} reads token ids; "
                     "pass --data synthetic or spam-assassin, or an image model (cnn, resnet)")
    if not text and args.data == "spam-assassin":
        parser.error(f"--data spam-assassin contains texts, but --model {args.model} reads images; "
                     "pass --data synthetic or fashion-mnist, or a text model (textcnn, fasttext)")
    if args.data == "spam-assassin" and not args.pool:
        parser.error(f"--data spam-assassin needs --pool FILE, written by negentropy bench --model {args.model} "
                     "--data spam-assassin --save-pool FILE, because the tokenizers are the .NET ones")
    if text and (args.depth or args.channels_last):
        parser.error(f"--depth and --channels-last apply to image models only; drop them for {args.model}")
    if not text and (args.vocabulary_size or args.sequence_length):
        parser.error(f"--vocabulary-size and --sequence-length apply to text models (textcnn, fasttext), not to {args.model}; drop them")
    if args.precision == "bf16":
        check_bfloat16_cpu(parser)


def check_bfloat16_cpu(parser):
    """Reject bf16 on a CPU without bfloat16 instructions, where it runs emulated, as `negentropy bench` does."""
    try:
        with open(CPU_INFO) as stream:
            flags = next((line.split(":", 1)[1].split() for line in stream if line.split(":", 1)[0].strip() == "flags"), [])
    except OSError:
        parser.error(f"--precision bf16 runs on Linux only, where {CPU_INFO} shows whether the CPU has bfloat16 instructions; "
                     "use --precision fp32")
    if not any(flag in flags for flag in BFLOAT16_FLAGS):
        parser.error(f"--precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in {CPU_INFO} have neither "
                     "avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["cnn", "resnet", *TEXT_MODELS])
    parser.add_argument("--data", choices=["synthetic", "fashion-mnist", "spam-assassin"], default="synthetic")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--inference-batches", type=int, default=10)
    parser.add_argument("--latency-runs", type=int, default=50)
    parser.add_argument("--width", type=int, help="image models: first-stage channels; text models: the embedding size")
    parser.add_argument("--depth", type=int, help="image models only")
    parser.add_argument("--vocabulary-size", type=int,
                        help=f"text models, synthetic data: token ids drawn, padding included (default {SYNTHETIC_VOCABULARY}); "
                             "with --pool the pool's vocabulary is used")
    parser.add_argument("--sequence-length", type=int, help=f"text models: token ids per row (default {SEQUENCE_LENGTH}, or the pool's)")
    parser.add_argument("--channels-last", action="store_true",
                        help="store the weights channels-last (NHWC), as Negentropy does; NCHW otherwise")
    parser.add_argument("--pool", metavar="FILE", help="time the batches in FILE, written by negentropy bench --save-pool FILE")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="number format of the inference and latency runs; training always runs in fp32")
    parser.add_argument("--parity-fixture", metavar="FILE")
    args = parser.parse_args()
    if args.parity_fixture:
        parity_fixture(args.parity_fixture)
    elif args.model:
        check_arguments(parser, args)
        try:
            run(args)
        except (PoolFileError, OSError) as error:
            parser.error(str(error))
    else:
        parser.error("pass --model cnn|resnet|textcnn|fasttext, or --parity-fixture FILE")


if __name__ == "__main__":
    main()
