"""Seeding, checkpoints and time limits shared by the training scripts."""
import os
import time

import torch

# checkpoints and caches live outside git, next to (not inside) the shared tiny model set
WORK = os.environ.get("SVD_SMALL_WORK", os.path.expanduser("~/.cache/fme-mlnet/train"))


def setup(seed, threads=1):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    os.makedirs(WORK, exist_ok=True)


def save(name, state):
    tmp = os.path.join(WORK, name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, os.path.join(WORK, name))


def load(name):
    path = os.path.join(WORK, name)
    return torch.load(path) if os.path.exists(path) else None


class Deadline:
    def __init__(self, minutes):
        self.end = time.time() + minutes * 60

    def passed(self):
        return time.time() > self.end
