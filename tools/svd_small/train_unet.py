#!/usr/bin/env python3
"""Train the UNet with SVD's formulation on camera-motion clips. Resumes from WORK/unet.pt.

    cd tools && nice -n 19 /usr/bin/python3 -m svd_small.train_unet --minutes 40
    (--steps N stops after N more steps; rerunning resumes; --quick overfits a few clips and checks the loss falls)

Formulation, as the pipeline's EulerDiscrete scheduler (v-prediction, continuous timesteps) samples it:
  x_noisy = x0 + sigma * n, one sigma per clip, ln(sigma) ~ N(p_mean, p_std) (SVD: 0.7, 1.6)
  UNet input [x_noisy / sqrt(sigma^2 + 1), conditioning latent], timestep 0.25 ln(sigma)
  denoised = x_noisy / (sigma^2 + 1) - sigma / sqrt(sigma^2 + 1) * F  (EDM with sigma_data 1)
  EDM's loss weight (sigma^2 + 1) / sigma^2 on |denoised - x0|^2 makes it |F - v|^2, v = (n - sigma x0) / sqrt(sigma^2 + 1)
Conditioning as the pipeline feeds it: the CLIP embedding of frame 0, and the mode of the VAE encoding of frame 0 plus
noise of a random strength (log-normal) in every frame's extra channels (unscaled, as diffusers' pipeline leaves it);
added time ids [fps - 1, motion_bucket_id, noise strength]. Both conditionings are zeroed together with probability
--drop, which is what the pipeline's unconditional half is (zeros), so classifier-free guidance has something to use.

The VAE (WORK/vae.pt) is frozen. The image encoder is kept fixed at its seeded random initialisation: it is a fixed
random feature of frame 0, its weights are saved in the checkpoint and exported as they are.
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F

from . import common, configs, data, nets

LATENT = configs.VAE["latent_channels"]


def precondition(sigma):
    """(c_in, c_skip, c_out, c_noise) of the EulerDiscrete v-prediction scheduler, per clip, broadcastable to latents."""
    s = sigma.reshape(-1, 1, 1, 1, 1)
    return 1 / (s ** 2 + 1).sqrt(), 1 / (s ** 2 + 1), -s / (s ** 2 + 1).sqrt(), 0.25 * sigma.log()


def clip_pixels(frame0):
    """CLIP input from frames in [-1, 1]: the pipeline's antialiased resize to 224, to [0, 1], CLIP's mean and std."""
    p = configs.PREPROCESSOR
    size = p["crop_size"]["height"]
    x = F.interpolate(frame0, size=(size, size), mode="bicubic", align_corners=False, antialias=True)
    mean = torch.tensor(p["image_mean"]).reshape(1, 3, 1, 1)
    std = torch.tensor(p["image_std"]).reshape(1, 3, 1, 1)
    return ((x + 1) / 2 - mean) / std


def load_vae_encoder():
    enc = nets.VaeEncoder(configs.VAE)
    state = common.load("vae.pt")
    if state is None:
        print("no vae.pt: using a random VAE encoder (train_vae first for real training)", flush=True)
    else:
        enc.load_state_dict(state["enc"])
    return enc.eval().requires_grad_(False), (state or {}).get("step", 0)


class Conditioner:
    """Turns clips into the UNet's training inputs, with the frozen VAE encoder and image encoder."""

    def __init__(self, vae_encoder, image_encoder, scale):
        self.vae, self.image, self.scale = vae_encoder, image_encoder, scale

    @torch.no_grad()
    def __call__(self, clips, fps, buckets, gen, drop=0.0, aug_mean=-3.0, aug_std=0.5):
        b, f = clips.shape[:2]
        aug = torch.exp(torch.randn(b, generator=gen) * aug_std + aug_mean)
        frame0 = clips[:, 0]
        noisy0 = frame0 + aug.reshape(b, 1, 1, 1) * torch.randn(frame0.shape, generator=gen)
        cond = self.vae(noisy0)[:, :LATENT]
        x0 = self.vae(clips.flatten(0, 1))[:, :LATENT] * self.scale
        emb = self.image(clip_pixels(frame0))[:, None]
        keep = (torch.rand(b, generator=gen) >= drop).float()
        ids = torch.stack([fps - 1, buckets, aug], dim=1)
        return {"x0": x0.reshape(b, f, *x0.shape[1:]), "cond": cond * keep.reshape(b, 1, 1, 1),
                "emb": emb * keep.reshape(b, 1, 1), "ids": ids}


def v_loss(unet, batch, sigma, noise):
    x0 = batch["x0"]
    c_in, _, _, c_noise = precondition(sigma)
    s = sigma.reshape(-1, 1, 1, 1, 1)
    cond = batch["cond"][:, None].expand(-1, x0.shape[1], -1, -1, -1)
    out = unet(torch.cat([c_in * (x0 + s * noise), cond], dim=2), c_noise, batch["emb"], batch["ids"])
    target = (noise - s * x0) / (s ** 2 + 1).sqrt()
    return (out - target).square().mean()


def sample_sigma(n, gen, p_mean, p_std):
    return torch.exp(torch.randn(n, generator=gen) * p_std + p_mean)


def latent_scale(vae, photos, gen, batches=4):
    """1 / std of the encoder's latents (mode) over a few clips: the VAE's scaling_factor."""
    with torch.no_grad():
        z = torch.cat([vae(data.sample_clips(photos, gen, 4)[0].flatten(0, 1))[:, :LATENT] for _ in range(batches)])
    return float(1 / z.std())


def quick(a, photos):
    """Overfit a handful of fixed clips for a few dozen steps; the loss on fixed (sigma, noise) probes must fall."""
    gen = torch.Generator().manual_seed(a.seed)
    vae, _ = load_vae_encoder()
    image = nets.ClipVisionWithProjection(configs.IMAGE_ENCODER).eval().requires_grad_(False)
    unet = nets.UNetSpatioTemporal(configs.UNET)
    cond = Conditioner(vae, image, latent_scale(vae, photos, gen, 1))
    clips, fps, buckets = data.sample_clips(photos, gen, a.clips)
    batch = cond(clips, fps, buckets, gen)
    probe_sigma = torch.exp(torch.linspace(-1.0, 2.5, a.clips))
    probe_noise = torch.randn(batch["x0"].shape, generator=gen)
    opt = torch.optim.AdamW(unet.parameters(), lr=a.lr, weight_decay=0.0)

    def probe():
        with torch.no_grad():
            return v_loss(unet, batch, probe_sigma, probe_noise).item()

    first = probe()
    print(f"step 0 probe loss {first:.4f}", flush=True)
    t = time.time()
    for step in range(1, a.steps + 1):
        sigma = sample_sigma(a.clips, gen, a.p_mean, a.p_std)
        loss = v_loss(unet, batch, sigma, torch.randn(batch["x0"].shape, generator=gen))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        opt.step()
        if step % a.log_every == 0 or step == a.steps:
            print(f"step {step} train loss {loss.item():.4f} probe loss {probe():.4f} ({(time.time() - t) / step:.2f} s/step)", flush=True)
    last = probe()
    assert last < 0.8 * first, f"probe loss did not fall: {first:.4f} -> {last:.4f}"
    print(f"ok: probe loss {first:.4f} -> {last:.4f} in {a.steps} steps")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--steps", type=int, default=0, help="stop after this many more steps (0: only the time limit)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clips", type=int, default=2, help="clips per step (each 14 frames)")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--p-mean", type=float, default=0.7)
    ap.add_argument("--p-std", type=float, default=1.6)
    ap.add_argument("--drop", type=float, default=0.1, help="probability of zeroing both conditionings (for guidance)")
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="overfit --clips fixed clips for --steps steps (default 40), no checkpoint")
    a = ap.parse_args()
    common.setup(a.seed)
    photos = data.load_photos()
    if a.quick:
        a.clips, a.steps, a.lr = max(a.clips, 4), a.steps or 40, 1e-3
        quick(a, photos)
        return

    gen = torch.Generator().manual_seed(a.seed)
    vae, vae_step = load_vae_encoder()
    image = nets.ClipVisionWithProjection(configs.IMAGE_ENCODER).eval().requires_grad_(False)
    unet = nets.UNetSpatioTemporal(configs.UNET)
    opt = torch.optim.AdamW(unet.parameters(), lr=a.lr, weight_decay=0.0)
    state = common.load("unet.pt")
    if state:
        unet.load_state_dict(state["unet"]); opt.load_state_dict(state["opt"]); image.load_state_dict(state["image_encoder"])
        gen.set_state(state["gen"]); torch.set_rng_state(state["rng"])
        step, ema, scale, history = state["step"], state["ema"], state["scale"], state["history"]
        vae_step = state["vae_step"]
        print(f"resumed at step {step} (VAE of step {vae_step}, scaling factor {scale:.4f})", flush=True)
    else:
        step, history = 0, []
        scale = latent_scale(vae, photos, gen)
        ema = {k: v.detach().clone() for k, v in unet.state_dict().items()}
        print(f"new run: VAE of step {vae_step}, latent scaling factor {scale:.4f}", flush=True)
    cond = Conditioner(vae, image, scale)
    last = step + a.steps if a.steps else None

    def checkpoint():
        common.save("unet.pt", {"unet": unet.state_dict(), "ema": ema, "opt": opt.state_dict(),
                                "image_encoder": image.state_dict(), "gen": gen.get_state(), "rng": torch.get_rng_state(),
                                "step": step, "scale": scale, "vae_step": vae_step, "history": history, "mean": mean})

    deadline, t, mean = common.Deadline(a.minutes), time.time(), (state or {}).get("mean")
    start = step
    while not deadline.passed() and (last is None or step < last):
        clips, fps, buckets = data.sample_clips(photos, gen, a.clips)
        batch = cond(clips, fps, buckets, gen, a.drop)
        sigma = sample_sigma(a.clips, gen, a.p_mean, a.p_std)
        loss = v_loss(unet, batch, sigma, torch.randn(batch["x0"].shape, generator=gen))
        for g in opt.param_groups:
            g["lr"] = a.lr * min(1.0, (step + 1) / 50)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        opt.step()
        step += 1
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for k, v in unet.state_dict().items():
                ema[k].mul_(decay).add_(v.detach(), alpha=1 - decay) if v.dtype.is_floating_point else ema[k].copy_(v)
        mean = loss.item() if mean is None else 0.95 * mean + 0.05 * loss.item()
        if step % a.log_every == 0:
            history.append((step, mean))
            print(f"step {step} loss {loss.item():.4f} mean {mean:.4f} ({(time.time() - t) / (step - start):.2f} s/step)", flush=True)
        if step % 50 == 0:
            checkpoint()
    checkpoint()
    print("saved at step", step)


if __name__ == "__main__":
    main()
