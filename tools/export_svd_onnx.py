#!/usr/bin/env python3
"""Export a diffusers Stable Video Diffusion checkpoint (SVD or SVD-XT) to the Fme.MLNet model folder layout.

    image_encoder/ vae_encoder/ unet/ vae_decoder/   model.onnx + model.onnx.data each (opset 17, TorchScript exporter)
    unet/config.json, vae_encoder/config.json, vae_decoder/config.json, image_encoder/config.json
    scheduler/scheduler_config.json, feature_extractor/preprocessor_config.json

Tensor names and dynamic axes match the built-in tiny model set (`fme export-tiny`), so the same loader reads both.
The VAE encoder outputs the 8 moment channels (the pipeline takes the mode, the first 4); the decoder takes
`num_frames` as an int64 scalar. With --fp16 the inputs and outputs are float16 too (the loader records it and the
pipeline converts). Needs torch >= 2.5 (the TorchScript exporter, dynamo=False), diffusers, transformers and onnx;
not run by this repository's CI.

    python tools/export_svd_onnx.py stabilityai/stable-video-diffusion-img2vid-xt out/svd-xt --fp16 --device cuda
"""
import argparse
import inspect
import json
from pathlib import Path

import onnx
import torch


class Unet(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, added_time_ids):
        return self.unet(sample, timestep, encoder_hidden_states, added_time_ids, return_dict=False)[0]


class VaeEncoder(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample):
        # AutoencoderKLTemporalDecoder.encode without the distribution: the moments (mean, log-variance).
        return self.vae.quant_conv(self.vae.encoder(sample))


class VaeDecoder(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample, num_frames):
        # A 0-dim tensor keeps the (batch, frames) split dynamic in the trace.
        return self.vae.decode(latent_sample, num_frames=num_frames).sample


class ImageEncoder(torch.nn.Module):
    def __init__(self, image_encoder):
        super().__init__()
        self.image_encoder = image_encoder

    def forward(self, pixel_values):
        return self.image_encoder(pixel_values).image_embeds


def export(module, args, path, inputs, outputs, axes, opset):
    path.parent.mkdir(parents=True, exist_ok=True)
    # torch >= 2.5 defaults to the dynamo exporter; older torch (1.13 in Debian) has only the TorchScript one.
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=opset, do_constant_folding=True, **extra)
    # The exporter scatters weights over many files past 2 GB: gather them into one data file beside the graph.
    model = onnx.load(str(path), load_external_data=True)
    for stray in path.parent.iterdir():
        if stray.name not in (path.name, "config.json"):
            stray.unlink()
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=path.name + ".data", size_threshold=1024)


def export_networks(out, unet, vae_decoder, vae_encoder, image_encoder, frames, height, width, embed_dim,
                    dtype=torch.float32, dev="cpu", opset=17, clip_size=224):
    """The four graphs with the tensor names and dynamic axes the loader expects, traced at height x width pixels.

    Each module takes exactly its graph's inputs: unet(sample, timestep, encoder_hidden_states, added_time_ids),
    vae_decoder(latent_sample, num_frames), vae_encoder(sample) -> moments, image_encoder(pixel_values) -> image_embeds.
    """
    h, w = height // 8, width // 8
    rand = lambda *shape: torch.randn(*shape, dtype=dtype, device=dev)
    export(unet,
           (rand(2, frames, 8, h, w), torch.tensor([1.0], device=dev), rand(2, 1, embed_dim),
            torch.tensor([[6.0, 127.0, 0.02]] * 2, dtype=dtype, device=dev)),
           out / "unet" / "model.onnx", ["sample", "timestep", "encoder_hidden_states", "added_time_ids"], ["out_sample"],
           {"sample": {0: "batch", 1: "num_frames", 3: "height", 4: "width"}, "encoder_hidden_states": {0: "batch"},
            "added_time_ids": {0: "batch"}, "out_sample": {0: "batch", 1: "num_frames", 3: "height", 4: "width"}}, opset)
    export(vae_decoder, (rand(frames, 4, h, w), torch.tensor(frames, dtype=torch.int64, device=dev)),
           out / "vae_decoder" / "model.onnx", ["latent_sample", "num_frames"], ["sample"],
           {"latent_sample": {0: "batch_frames", 2: "height", 3: "width"},
            "sample": {0: "batch_frames", 2: "pixel_height", 3: "pixel_width"}}, opset)
    export(vae_encoder, (rand(1, 3, height, width),), out / "vae_encoder" / "model.onnx", ["sample"], ["latent_sample"],
           {"sample": {0: "batch", 2: "pixel_height", 3: "pixel_width"}, "latent_sample": {0: "batch", 2: "height", 3: "width"}},
           opset)
    export(image_encoder, (rand(1, 3, clip_size, clip_size),), out / "image_encoder" / "model.onnx",
           ["pixel_values"], ["image_embeds"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}}, opset)


def write_config(path, config):
    """A config.json as diffusers / transformers write it (for folders made without them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def main():
    from diffusers import StableVideoDiffusionPipeline

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", help="diffusers checkpoint: a Hub id or a local folder")
    parser.add_argument("output", type=Path, help="model folder to write")
    parser.add_argument("--fp16", action="store_true", help="float16 weights (the 'fp16' variant); needs --device cuda")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--height", type=int, default=576, help="trace height in pixels (axes stay dynamic)")
    parser.add_argument("--width", type=int, default=1024, help="trace width in pixels (axes stay dynamic)")
    parser.add_argument("--opset", type=int, default=17)
    a = parser.parse_args()

    dtype = torch.float16 if a.fp16 else torch.float32
    pipe = StableVideoDiffusionPipeline.from_pretrained(a.checkpoint, torch_dtype=dtype, variant="fp16" if a.fp16 else None)
    pipe.to(a.device)
    out, dev = a.output, a.device
    frames = pipe.unet.config.num_frames
    embed_dim = pipe.unet.config.cross_attention_dim

    # Configs first, so each network's folder already holds its config.json.
    pipe.unet.save_config(out / "unet")
    pipe.vae.save_config(out / "vae_encoder")
    pipe.vae.save_config(out / "vae_decoder")
    (out / "image_encoder").mkdir(parents=True, exist_ok=True)
    pipe.image_encoder.config.to_json_file(str(out / "image_encoder" / "config.json"))
    pipe.scheduler.save_config(out / "scheduler")
    pipe.feature_extractor.save_pretrained(out / "feature_extractor")

    export_networks(out, Unet(pipe.unet), VaeDecoder(pipe.vae), VaeEncoder(pipe.vae), ImageEncoder(pipe.image_encoder),
                    frames, a.height, a.width, embed_dim, dtype, dev, a.opset)
    print(f"wrote {out}; SvdModelFolder.Open(\"{out}\").Describe() shows what the loader finds")


if __name__ == "__main__":
    main()
