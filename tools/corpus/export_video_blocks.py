"""Exports video-diffusion building blocks with torch.onnx.export as small test assets for the executor's corpus.

Run with Debian's python3-torch and python3-onnx (apt-get install -y python3-torch python3-onnx):
    python3 tools/corpus/export_video_blocks.py Fme.MLNet.Tests/Corpus/Assets
Weights are random (seeded); the blocks follow the layout of a video UNet: frames folded into the batch axis for
spatial layers, pixels folded into the batch axis for temporal layers.
"""
import sys
import torch
from torch import nn


class SpatialResBlock(nn.Module):
    """GroupNorm -> SiLU -> Conv -> GroupNorm -> SiLU -> Conv, plus a 1x1 skip; input [batch*frames, C, H, W]."""

    def __init__(self, cin=32, cout=64):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(8, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        h = self.conv1(torch.nn.functional.silu(self.norm1(x)))
        h = self.conv2(torch.nn.functional.silu(self.norm2(h)))
        return self.skip(x) + h


class TemporalAttention(nn.Module):
    """Self-attention across frames at every pixel, written with einsum; input [batch, frames, C, H, W]."""

    def __init__(self, channels=32, heads=2):
        super().__init__()
        self.heads = heads
        self.norm = nn.LayerNorm(channels)
        self.qkv = nn.Linear(channels, 3 * channels, bias=False)
        self.out = nn.Linear(channels, channels)

    def forward(self, x):
        b, f, c, h, w = x.shape
        t = x.permute(0, 3, 4, 1, 2).reshape(b * h * w, f, c)
        q, k, v = self.qkv(self.norm(t)).chunk(3, dim=-1)
        d = c // self.heads
        q = q.reshape(-1, f, self.heads, d)
        k = k.reshape(-1, f, self.heads, d)
        v = v.reshape(-1, f, self.heads, d)
        weights = torch.einsum("nfhd,nghd->nhfg", q, k) * (d ** -0.5)
        a = torch.einsum("nhfg,nghd->nfhd", weights.softmax(dim=-1), v).reshape(-1, f, c)
        t = t + self.out(a)
        return t.reshape(b, h, w, f, c).permute(0, 3, 4, 1, 2)


class UpsampleBlock(nn.Module):
    """Nearest 2x upsampling (Resize) then Conv, as a UNet decoder does; input [batch*frames, C, H, W]."""

    def __init__(self, channels=32):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(torch.nn.functional.interpolate(x, scale_factor=2.0, mode="nearest"))


def export(module, example, path, names, dynamic):
    module.eval()
    torch.onnx.export(module, example, path, input_names=names[:1], output_names=names[1:], dynamic_axes=dynamic,
                      opset_version=17, do_constant_folding=True)


def main(folder):
    torch.manual_seed(20241204)
    export(SpatialResBlock(), torch.randn(4, 32, 16, 16), f"{folder}/spatial_resblock.onnx", ["x", "y"],
           {"x": {0: "batch_frames", 2: "height", 3: "width"}, "y": {0: "batch_frames", 2: "height", 3: "width"}})
    export(TemporalAttention(), torch.randn(2, 6, 32, 8, 8), f"{folder}/temporal_attention_einsum.onnx", ["x", "y"],
           {"x": {0: "batch", 1: "frames", 3: "height", 4: "width"}, "y": {0: "batch", 1: "frames", 3: "height", 4: "width"}})
    export(UpsampleBlock(), torch.randn(4, 32, 8, 8), f"{folder}/upsample_block.onnx", ["x", "y"],
           {"x": {0: "batch_frames", 2: "height", 3: "width"}, "y": {0: "batch_frames", 2: "height", 3: "width"}})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
