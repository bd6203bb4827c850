#!/usr/bin/env python3
"""One forward pass of each small network at the configs' sizes, printing output shapes.

    cd tools && nice -n 15 /usr/bin/python3 -m svd_small.selfcheck
"""
import torch

from . import configs, nets


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    u, v, c = configs.UNET, configs.VAE, configs.IMAGE_ENCODER
    frames, lat = u["num_frames"], u["sample_size"]
    with torch.no_grad():
        enc = nets.ClipVisionWithProjection(c).eval()
        emb = enc(torch.randn(1, 3, c["image_size"], c["image_size"]))
        print("image_encoder image_embeds", tuple(emb.shape))
        assert emb.shape == (1, c["projection_dim"])

        venc = nets.VaeEncoder(v).eval()
        moments = venc(torch.randn(1, 3, v["sample_size"], v["sample_size"]))
        print("vae_encoder moments", tuple(moments.shape))
        assert moments.shape == (1, 2 * v["latent_channels"], lat, lat)

        vdec = nets.TemporalDecoder(v).eval()
        frames_out = vdec(torch.randn(frames, v["latent_channels"], lat, lat), frames)
        print("vae_decoder sample", tuple(frames_out.shape))
        assert frames_out.shape == (frames, v["out_channels"], v["sample_size"], v["sample_size"])

        unet = nets.UNetSpatioTemporal(u).eval()
        out = unet(torch.randn(2, frames, u["in_channels"], lat, lat), torch.tensor([0.5]),
                   torch.randn(2, 1, u["cross_attention_dim"]), torch.tensor([[6.0, 127.0, 0.02]] * 2))
        print("unet noise_pred", tuple(out.shape))
        assert out.shape == (2, frames, u["out_channels"], lat, lat)
    for name, m in (("image_encoder", enc), ("vae_encoder", venc), ("vae_decoder", vdec), ("unet", unet)):
        print(name, "parameters", sum(p.numel() for p in m.parameters()))
    print("ok")


if __name__ == "__main__":
    main()
