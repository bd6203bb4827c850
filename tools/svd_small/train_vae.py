#!/usr/bin/env python3
"""Train the VAE (encoder + temporal decoder) on frames of camera-motion clips. Resumes from WORK/vae.pt.

    cd tools && nice -n 15 /usr/bin/python3 -m svd_small.train_vae --minutes 12
    (--steps N stops after N more steps; rerunning resumes from the checkpoint)
"""
import argparse

import torch

from . import common, configs, data, nets


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--crop", type=int, default=32)
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--frames", type=int, default=2)
    ap.add_argument("--steps", type=int, default=0, help="stop after this many more steps (0: only the time limit)")
    ap.add_argument("--log-every", type=int, default=25)
    a = ap.parse_args()
    common.setup(a.seed)
    enc, dec = nets.VaeEncoder(configs.VAE), nets.TemporalDecoder(configs.VAE)
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    gen = torch.Generator().manual_seed(a.seed)
    step, ema = 0, None
    state = common.load("vae.pt")
    if state:
        enc.load_state_dict(state["enc"]); dec.load_state_dict(state["dec"]); opt.load_state_dict(state["opt"])
        gen.set_state(state["gen"]); step = state["step"]
        ema = state.get("ema")
        torch.set_rng_state(state["rng"])
        print("resumed at step", step, flush=True)
    last = step + a.steps if a.steps else None
    photos = data.load_photos()

    def checkpoint():
        common.save("vae.pt", {"enc": enc.state_dict(), "dec": dec.state_dict(), "opt": opt.state_dict(),
                               "gen": gen.get_state(), "rng": torch.get_rng_state(), "step": step, "ema": ema})

    deadline = common.Deadline(a.minutes)
    while not deadline.passed() and (last is None or step < last):
        clips, _, _ = data.sample_clips(photos, gen, a.clips, frames=14)
        # a few consecutive frames of each clip, cropped alike
        start = int(torch.randint(14 - a.frames + 1, (1,), generator=gen))
        y0, x0 = (int(torch.randint(64 - a.crop + 1, (1,), generator=gen)) for _ in range(2))
        x = clips[:, start:start + a.frames, :, y0:y0 + a.crop, x0:x0 + a.crop].flatten(0, 1)
        moments = enc(x)
        mean, logvar = moments.chunk(2, dim=1)
        logvar = logvar.clamp(-30, 20)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        rec = dec(z, a.frames)
        kl = 0.5 * (mean.square() + logvar.exp() - 1 - logvar).mean()
        loss = (rec - x).abs().mean() + (rec - x).square().mean() + 1e-5 * kl
        for g in opt.param_groups:
            g["lr"] = 1e-3 * min(1.0, (step + 1) / 100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        mse = (rec - x).square().mean().item()
        ema = mse if ema is None else 0.98 * ema + 0.02 * mse
        if step % a.log_every == 0:
            psnr = 10 * torch.log10(torch.tensor(4.0 / ema)).item()
            print(f"step {step} loss {loss.item():.4f} ema psnr {psnr:.2f} dB kl {kl.item():.3f}", flush=True)
        if step % 100 == 0:
            checkpoint()
    checkpoint()
    print("saved at step", step)


if __name__ == "__main__":
    main()
