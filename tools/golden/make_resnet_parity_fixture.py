#!/usr/bin/env python3
"""Write the torchvision ResNet-18 parity fixture that TorchvisionResNetParityTests compares against.

Run with Debian's python3-torch and python3-torchvision, which are the reference oracles and are never
used at run time:

    /usr/bin/python3 tools/golden/make_resnet_parity_fixture.py
    /usr/bin/python3 tools/golden/make_resnet_parity_fixture.py --full /tmp/resnet18-full

Without --full it writes tests/Negentropy.Tests/Fixtures/resnet18_parity/ for CI: a seeded resnet18 of
first-stage width 4 (4, 8, 16, 32 channels per stage instead of 64, 128, 256, 512) built from
torchvision's own BasicBlock and ResNet._make_layer, so its state-dict keys are torchvision's. The
files are:

- state_dict.pth: torch.save(model.state_dict()), the zip format that PyTorch writes since 1.6.
- state_dict.safetensors: the same tensors in the safetensors format, written here by hand because
  Debian has no python3-safetensors (8-byte little-endian header length, JSON header, raw data).
- input.pth: {"input": a fixed 2x3x64x64 batch}.
- expected.json: the eval-mode logits for that batch and the settings that made them.

Batch-norm weights, biases, running means, running variances and num_batches_tracked are set to
seeded non-trivial values, so that eval-mode batch norm is exercised rather than an identity.

With --full DIR it writes the same four files into DIR for the full-size torchvision.models.resnet18:
random initialization with no download, 1000 classes and a 2x3x224x224 batch. Then it runs the C#
parity test on DIR with 'dotnet test --filter', passing DIR in the NEGENTROPY_RESNET_PARITY_DIR
environment variable. That proof is too large to commit (about 95 MB), so it is run by hand.
"""
import argparse
import json
import os
import pathlib
import struct
import subprocess
import sys

import torch
import torchvision
from torch import nn
from torchvision.models.resnet import BasicBlock, ResNet

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
FIXTURE_DIR = REPOSITORY / "tests/Negentropy.Tests/Fixtures/resnet18_parity"
SEED = 20260512
SMALL_WIDTH = 4
SMALL_CLASSES = 10
SMALL_SIZE = 64
FULL_SIZE = 224
PARITY_TEST = "FullyQualifiedName~Negentropy.Tests.Models.TorchvisionResNetParityTests"


class ReducedWidthResNet(ResNet):
    """torchvision's ResNet with `width`, 2·width, 4·width and 8·width channels per stage instead of 64 to 512.

    It repeats ResNet.__init__ (torchvision 0.14) with the widths changed, and builds the stages with
    torchvision's own _make_layer and BasicBlock, so the module names and state-dict keys are torchvision's.
    """

    def __init__(self, width, layers, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, width, layers[0])
        self.layer2 = self._make_layer(BasicBlock, 2 * width, layers[1], stride=2)
        self.layer3 = self._make_layer(BasicBlock, 4 * width, layers[2], stride=2)
        self.layer4 = self._make_layer(BasicBlock, 8 * width, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * width, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)


def randomize_batch_norms(model, generator):
    """Give every batch norm seeded affine parameters, running statistics and a batch count."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                count = module.num_features
                module.weight.copy_(1 + 0.2 * torch.randn(count, generator=generator))
                module.bias.copy_(0.1 * torch.randn(count, generator=generator))
                module.running_mean.copy_(0.2 * torch.randn(count, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(count, generator=generator))
                module.num_batches_tracked.fill_(7)


def write_safetensors(path, state_dict):
    """Write `state_dict` in the safetensors format: header length (u64 LE), JSON header, tensor bytes in order."""
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header = {}
    chunks = []
    offset = 0
    for key, tensor in state_dict.items():
        data = tensor.detach().contiguous().numpy().tobytes()
        header[key] = {"dtype": dtypes[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # The format pads the header with spaces to a multiple of 8 bytes so that the data is aligned.
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(encoded)))
        stream.write(encoded)
        for chunk in chunks:
            stream.write(chunk)


def write_fixture(out_dir, model, settings, input_size):
    generator = torch.Generator().manual_seed(SEED + 1)
    randomize_batch_norms(model, generator)
    model.eval()
    batch = torch.randn(2, 3, input_size, input_size, generator=generator)
    with torch.no_grad():
        logits = model(batch)

    out_dir.mkdir(parents=True, exist_ok=True)
    state_dict = model.state_dict()
    torch.save(state_dict, out_dir / "state_dict.pth")
    write_safetensors(out_dir / "state_dict.safetensors", state_dict)
    torch.save({"input": batch}, out_dir / "input.pth")
    expected = dict(settings)
    expected.update({
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "seed": SEED,
        "input_shape": list(batch.shape),
        "state_dict_keys": len(state_dict),
        "logits": [[float(value) for value in row] for row in logits.tolist()],
    })
    (out_dir / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    size = sum(path.stat().st_size for path in out_dir.iterdir())
    print(f"wrote {out_dir} ({len(state_dict)} state-dict keys, {size / 1e6:.2f} MB, torch {torch.__version__}, torchvision {torchvision.__version__})")


def run_parity_test(out_dir, no_build):
    command = ["dotnet", "test", str(REPOSITORY / "tests/Negentropy.Tests"), "-c", "Release", "--filter", PARITY_TEST,
               "--logger", "console;verbosity=detailed"]
    if no_build:
        command.append("--no-build")
    environment = dict(os.environ, NEGENTROPY_RESNET_PARITY_DIR=str(out_dir.resolve()))
    print("running: NEGENTROPY_RESNET_PARITY_DIR=" + str(out_dir.resolve()) + " " + " ".join(command), flush=True)
    return subprocess.run(command, env=environment, cwd=REPOSITORY, check=False).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--full", metavar="DIR", type=pathlib.Path,
                        help="write the full-size torchvision resnet18 fixture into DIR and run the C# parity test on it")
    parser.add_argument("--no-build", action="store_true", help="pass --no-build to dotnet test (with --full)")
    arguments = parser.parse_args()

    torch.manual_seed(SEED)
    if arguments.full is None:
        model = ReducedWidthResNet(SMALL_WIDTH, [2, 2, 2, 2], SMALL_CLASSES)
        settings = {"architecture": "resnet18", "width": SMALL_WIDTH, "num_classes": SMALL_CLASSES}
        write_fixture(FIXTURE_DIR, model, settings, SMALL_SIZE)
        return 0

    model = torchvision.models.resnet18(weights=None)
    settings = {"architecture": "resnet18", "width": 64, "num_classes": 1000}
    write_fixture(arguments.full, model, settings, FULL_SIZE)
    return run_parity_test(arguments.full, arguments.no_build)


if __name__ == "__main__":
    sys.exit(main())
