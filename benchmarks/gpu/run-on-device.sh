#!/usr/bin/env bash
# Runs the CUDA checks on a Linux machine with an NVIDIA GPU but no .NET SDK, from a self-contained publish:
#   artifacts/app.tar.xz          dotnet publish of examples/Fme.Cli and benchmarks/Fme.Benchmarks (-r linux-x64
#                                 --self-contained, into one folder), without libonnxruntime_providers_cuda.so
#   artifacts/cuda*/part.*        that library, xz-compressed and split (it is larger than one upload)
# CUDA 13 and cuDNN 9 come from the machine's Python environment (the nvidia-* wheels that PyTorch installs).
# Results go to $OUT (or ./gpu-results): the CLI's log and GIF, the benchmark tables, nvidia-smi's view.
#   bash benchmarks/gpu/run-on-device.sh check   the main job on CUDA, exactness and memory at 512 and 1024 (about 90 s)
#   bash benchmarks/gpu/run-on-device.sh extra   arena shrinkage, GroupNorm accuracy, Step Rehash on CUDA (about 4 min)
#   bash benchmarks/gpu/run-on-device.sh smoke   the main job on CUDA at 512x512, with and without --shrink-arenas
set -euo pipefail
out=${OUT:-gpu-results}
mkdir -p "$out" /tmp/fme-app
tar -xJf artifacts/app.tar.xz -C /tmp/fme-app
cat artifacts/cuda*/part.* | xz -dc > /tmp/fme-app/libonnxruntime_providers_cuda.so
python=$(command -v python3 || command -v python)
libs=$("$python" - <<'PY'
import os, site, glob
roots = site.getsitepackages() + [site.getusersitepackages()]
dirs = set()
for root in roots:
    for pattern in ("nvidia/*/lib", "nvidia/*/*/lib", "torch/lib"):
        dirs.update(d for d in glob.glob(os.path.join(root, pattern)) if os.path.isdir(d))
print(":".join(sorted(dirs)))
PY
)
export LD_LIBRARY_PATH="$libs:${LD_LIBRARY_PATH:-}"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
export HOME=${HOME:-/tmp}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> "$out/gpu.txt"
cd /tmp/fme-app
bench() { # name, then benchmark arguments
    local name=$1; shift
    ./Fme.Benchmarks --gpu 0 --runs 1 --out "$out/$name.md" "$@" 2> "$out/$name.log" || echo "benchmark failed: $?" >> "$out/$name.log"
    cat "$out/$name.md" 2>/dev/null || tail -n 40 "$out/$name.log"
}
case "${1:-check}" in
check)
    # The main job on the GPU (built-in tiny model), then the executor's exactness and memory on CUDA.
    ./fme generate --image sample.png --output "$out/gpu.gif" --gpu 0 > "$out/generate.log" 2>&1 || echo "generate failed: $?" >> "$out/generate.log"
    tail -n 5 "$out/generate.log"
    bench gpu-512 --size 512 --frames 14 --steps 25 \
        --configs unet-verify,decoder-verify,unet-plain,unet-streamlined,decoder-plain,decoder-streamlined,pipeline
    bench gpu-1024 --size 1024 --frames 14 --configs unet-plain,unet-streamlined
    ;;
extra)
    bench gpu-accuracy-512 --size 512 --frames 14 --configs groupnorm-accuracy
    bench gpu-shrink-512 --size 512 --frames 14 --shrink "cpu:0;gpu:0" --configs unet-plain,unet-streamlined,decoder-streamlined
    bench gpu-shrink-1024 --size 1024 --frames 14 --shrink "cpu:0;gpu:0" --configs unet-plain,unet-streamlined
    bench gpu-rehash-512 --size 512 --frames 14 --steps 25 --configs rehash-3,rehash-calibrated-9
    ;;
smoke)
    for flags in "" "--shrink-arenas"; do
        ./fme generate --image sample.png --output "$out/smoke.gif" --gpu 0 --width 512 --height 512 $flags 2>&1 | grep -v "^ *encode\|^ *denoise" | tail -n 4
    done
    ;;
esac
