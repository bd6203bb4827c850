#!/usr/bin/env python3
"""Loads the training photos, samples clips and checks their shapes, ranges and conditioning values.

    cd tools && nice -n 15 /usr/bin/python3 -m svd_small.check_data
"""
import time

import torch

from . import common, data


def main():
    common.setup(0)
    t = time.time()
    files = data._one_per_wallpaper()
    photos = data.load_photos()
    print(f"{len(files)} photo files, {len(photos)} loaded in {time.time() - t:.1f} s")
    assert photos and all(p.dtype == torch.uint8 and p.shape[0] == 3 and min(p.shape[1:]) >= 64 for p in photos)
    gen = torch.Generator().manual_seed(0)
    t = time.time()
    clips, fps, buckets = data.sample_clips(photos, gen, 4)
    print(f"clips {tuple(clips.shape)} in {time.time() - t:.2f} s, range [{clips.min():.3f}, {clips.max():.3f}]")
    print("fps", fps.tolist(), "motion_bucket_id", [round(b, 1) for b in buckets.tolist()])
    assert clips.shape == (4, 14, 3, 64, 64), clips.shape
    assert clips.min() >= -1 and clips.max() <= 1 and clips.std() > 0.05
    assert ((fps >= 5) & (fps <= 12)).all() and ((buckets >= 0) & (buckets <= 255)).all()
    # mean frame-to-frame change grows with the motion bucket (zero motion gives identical frames)
    step = (clips[:, 1:] - clips[:, :-1]).abs().mean(dim=(1, 2, 3, 4))
    print("mean |frame change| per clip", [round(s, 4) for s in step.tolist()])
    held = data.held_out_photos()
    print("held-out photos", sorted(held), [im.size for im in held.values()][0])
    assert all(im.size == (64, 64) for im in held.values())
    print("ok")


if __name__ == "__main__":
    main()
