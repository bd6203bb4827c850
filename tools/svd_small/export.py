#!/usr/bin/env python3
"""Export the small set to the model folder layout (graphs, names, axes and external data as export_svd_onnx writes them).

    cd tools && nice -n 19 /usr/bin/python3 -m svd_small.export OUT_DIR            # trained: WORK/vae.pt + WORK/unet.pt
    cd tools && nice -n 19 /usr/bin/python3 -m svd_small.export OUT_DIR --random   # seeded random weights (layout only)

The UNet's weights are its EMA unless --raw. The VAE config's scaling_factor is the one the UNet was trained with.
"""
import argparse
import os
import sys
from pathlib import Path

import torch

from . import common, configs, nets

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import export_svd_onnx as layout  # noqa: E402  (tools/, beside this package)


def networks(random, raw=False):
    """(unet, vae_decoder, vae_encoder, image_encoder, scaling_factor, description) in eval mode."""
    unet, dec = nets.UNetSpatioTemporal(configs.UNET), nets.TemporalDecoder(configs.VAE)
    enc, image = nets.VaeEncoder(configs.VAE), nets.ClipVisionWithProjection(configs.IMAGE_ENCODER)
    scale, what = configs.VAE["scaling_factor"], "seeded random weights"
    if not random:
        vae, trained = common.load("vae.pt"), common.load("unet.pt")
        if vae is None or trained is None:
            raise FileNotFoundError(f"need vae.pt and unet.pt in {common.WORK} (train_vae, train_unet), or pass --random")
        enc.load_state_dict(vae["enc"]); dec.load_state_dict(vae["dec"])
        unet.load_state_dict(trained["unet"] if raw else trained["ema"])
        image.load_state_dict(trained["image_encoder"])
        scale = trained["scale"]
        what = f"VAE step {vae['step']}, UNet step {trained['step']} ({'raw' if raw else 'EMA'}), image encoder fixed"
        if trained["vae_step"] != vae["step"]:
            print(f"warning: the UNet was trained on the VAE of step {trained['vae_step']}, vae.pt is step {vae['step']}")
    return [m.eval() for m in (unet, dec, enc, image)] + [scale, what]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output", type=Path)
    ap.add_argument("--random", action="store_true", help="export seeded random weights (checks the layout only)")
    ap.add_argument("--raw", action="store_true", help="the UNet's last weights instead of their EMA")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args()
    common.setup(a.seed)
    unet, dec, enc, image, scale, what = networks(a.random, a.raw)
    out = a.output
    vae = dict(configs.VAE, scaling_factor=scale)
    layout.write_config(out / "unet" / "config.json", configs.UNET)
    layout.write_config(out / "vae_encoder" / "config.json", vae)
    layout.write_config(out / "vae_decoder" / "config.json", vae)
    layout.write_config(out / "image_encoder" / "config.json", configs.IMAGE_ENCODER)
    layout.write_config(out / "scheduler" / "scheduler_config.json", configs.SCHEDULER)
    layout.write_config(out / "feature_extractor" / "preprocessor_config.json", configs.PREPROCESSOR)
    size = configs.VAE["sample_size"]
    layout.export_networks(out, unet, dec, enc, image, configs.UNET["num_frames"], size, size,
                           configs.UNET["cross_attention_dim"], opset=a.opset,
                           clip_size=configs.PREPROCESSOR["crop_size"]["height"])
    print(f"wrote {out}: {what}, scaling_factor {scale:.5f}")


if __name__ == "__main__":
    main()
