#!/usr/bin/env bash
# Videos per minute of one fme-cluster silo (in-memory storage) with 1, 2 and 3 CPU workers on the built-in tiny model
# (submit's tiny defaults: 64x64, 2 steps, the model's frames), one ONNX Runtime thread per worker.
# Usage: benchmarks/cluster/throughput.sh [IMAGES] (default 12); run after `dotnet build examples/ClusterHost -c Release`.
set -euo pipefail
images=${1:-12}
dll=examples/ClusterHost/bin/Release/net10.0/fme-cluster.dll
work=$(mktemp -d)
trap 'kill "${silo:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/in"
ffmpeg -loglevel error -f lavfi -i "nullsrc=s=72x72,geq=random(1)*255:random(1)*255:random(1)*255" -frames:v "$images" "$work/in/img%02d.png"
for workers in 1 2 3; do
    port=$((31000 + workers))
    nice -n 10 dotnet "$dll" silo --cluster-id "bench$workers" --silo-port $((21000 + workers)) --gateway-port $port \
        --http-port 0 --cpu-workers "$workers" --threads 1 >"$work/silo$workers.log" 2>&1 &
    silo=$!
    # The silo needs a few seconds to open its gateway; submit until it answers.
    for _ in $(seq 30); do
        dotnet "$dll" submit "$work/in" "$work/out$workers" --batch-id "w$workers" --cluster-id "bench$workers" --gateway-port $port \
            >/dev/null 2>&1 && break
        sleep 2
    done
    result=$(dotnet "$dll" progress "w$workers" --cluster-id "bench$workers" --gateway-port $port --watch 2 | tail -1)
    echo "$workers worker(s): $result"
    kill "$silo"; wait "$silo" 2>/dev/null || true
done
