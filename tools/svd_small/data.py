"""Training clips: camera motion (pan, zoom, small rotation) over photos from Debian's wallpaper packages.

Frame 0 is the photo crop itself, so the first frame of a clip is the conditioning image, as in SVD. The
motion is an affine camera path; its mean pixel displacement per second gives motion_bucket_id, and the
frame rate scales it per frame. Held out: scikit-image's sample photos (never seen in training).
"""
import glob
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

TRAIN_GLOBS = ["/usr/share/backgrounds/gnome/*.webp", "/usr/share/wallpapers/*/contents/images/*"]
HELD_OUT = ["astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "retina", "cat", "hubble_deep_field"]
# motion_bucket_id per (pixel per second at 64 px): 127 is 1 px per frame at 7 fps.
BUCKET_PER_SPEED = 127.0 / 7.0


def _one_per_wallpaper():
    files = []
    for pattern in TRAIN_GLOBS:
        found = sorted(glob.glob(pattern))
        by_dir = {}
        for f in found:
            by_dir.setdefault(os.path.dirname(f), []).append(f)
        for d, fs in sorted(by_dir.items()):
            # one size per wallpaper folder (the largest); gnome's folder holds distinct pictures
            files.extend(fs if "gnome" in d else [max(fs, key=os.path.getsize)])
    return files


def load_photos(cache=None, side=192):
    """Each photo resized so its short side is `side`, as uint8 (3, H, W) tensors, cached in the work folder."""
    from .common import WORK
    cache = cache or os.path.join(WORK, f"photos_{side}.pt")
    if os.path.exists(cache):
        return torch.load(cache)
    photos = []
    for f in _one_per_wallpaper():
        try:
            im = Image.open(f).convert("RGB")
        except Exception:
            continue
        s = side / min(im.size)
        im = im.resize((max(side, round(im.width * s)), max(side, round(im.height * s))), Image.LANCZOS)
        photos.append(torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1))
    if not photos:
        raise FileNotFoundError(f"no training photos found under {TRAIN_GLOBS}: install gnome-backgrounds or plasma-workspace-wallpapers")
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    torch.save(photos, cache)
    return photos


def held_out_photos(size=64):
    import skimage.data
    out = {}
    for name in HELD_OUT:
        a = getattr(skimage.data, name)()
        if a.ndim == 2:
            a = np.stack([a] * 3, -1)
        a = a[..., :3]
        im = Image.fromarray(a.astype(np.uint8))
        s = min(im.size)
        im = im.crop(((im.width - s) // 2, (im.height - s) // 2, (im.width - s) // 2 + s, (im.height - s) // 2 + s))
        out[name] = im.resize((size, size), Image.LANCZOS)
    return out


def sample_clips(photos, gen, batch, frames=14, size=64):
    """Returns clips (batch, frames, 3, size, size) in [-1, 1], fps (batch,), motion_bucket_id (batch,)."""
    clips, fps_all, buckets = [], [], []
    for _ in range(batch):
        p = photos[int(torch.randint(len(photos), (1,), generator=gen))].float() / 127.5 - 1.0
        _, H, W = p.shape
        # a random square window: its size relative to the photo, its centre
        crop = float(torch.empty(1).uniform_(0.35, 0.9, generator=gen)) * min(H, W)
        cx = float(torch.empty(1).uniform_(crop / 2, W - crop / 2, generator=gen))
        cy = float(torch.empty(1).uniform_(crop / 2, H - crop / 2, generator=gen))
        fps = int(torch.randint(5, 13, (1,), generator=gen))
        speed = float(torch.empty(1).uniform_(0.0, 14.0, generator=gen)) * (float(torch.rand(1, generator=gen)) > 0.1)
        kind = int(torch.randint(3, (1,), generator=gen))
        ang = float(torch.rand(1, generator=gen)) * 2 * math.pi
        sign = 1.0 if float(torch.rand(1, generator=gen)) < 0.5 else -1.0
        per_frame = speed / fps  # pixels per frame at `size` px
        t = torch.arange(frames, dtype=torch.float32)
        # affine maps from output coordinates in [-1, 1] to the window; mean displacement per frame = per_frame px
        px = 2.0 / size  # one output pixel in normalised units
        if kind == 0:    # pan
            tx, ty = math.cos(ang) * per_frame * px * t, math.sin(ang) * per_frame * px * t
            scale, rot = torch.ones(frames), torch.zeros(frames)
        elif kind == 1:  # zoom in/out about the centre: mean |r| of the grid is ~0.765
            scale = torch.exp(-sign * per_frame * px / 0.765 * t)
            tx, ty, rot = torch.zeros(frames), torch.zeros(frames), torch.zeros(frames)
        else:            # small rotation
            rot = sign * per_frame * px / 0.765 * t
            scale, tx, ty = torch.ones(frames), torch.zeros(frames), torch.zeros(frames)
        half = crop / 2
        theta = torch.zeros(frames, 2, 3)
        cos, sin = torch.cos(rot) * scale, torch.sin(rot) * scale
        # window coordinates (pixels of the photo) -> grid_sample coordinates of the whole photo
        sx, sy = half / (W / 2), half / (H / 2)
        theta[:, 0, 0], theta[:, 0, 1] = cos * sx, -sin * sx
        theta[:, 1, 0], theta[:, 1, 1] = sin * sy, cos * sy
        theta[:, 0, 2] = (cx - W / 2) / (W / 2) + tx * sx
        theta[:, 1, 2] = (cy - H / 2) / (H / 2) + ty * sy
        grid = F.affine_grid(theta, (frames, 3, size, size), align_corners=False)
        # sample from a blurred copy when the window is much larger than the output (antialiasing)
        factor = crop / size
        src = p[None]
        if factor > 1.5:
            src = F.avg_pool2d(src, int(factor), stride=1, padding=int(factor) // 2, count_include_pad=False)
        clip = F.grid_sample(src.expand(frames, -1, -1, -1), grid, mode="bilinear", padding_mode="reflection",
                             align_corners=False)
        if float(torch.rand(1, generator=gen)) < 0.5:
            clip = clip.flip(-1)
        clips.append(clip.clamp(-1, 1))
        fps_all.append(fps)
        buckets.append(min(255.0, speed * BUCKET_PER_SPEED))
    return torch.stack(clips), torch.tensor(fps_all, dtype=torch.float32), torch.tensor(buckets)
