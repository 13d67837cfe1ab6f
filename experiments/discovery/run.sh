#!/bin/sh
# 情景发现：在默认村的基础上同时改变村庄特征（支部、数字接入等）和所有不确定假设（含成本），每条路径单独花不超过同样的钱，
# 用 PRIM 找出每条路径“每万元效果最好”的区域。
# Scenario discovery on the ranking: the village's characteristics (branch, digital access, ...) and every uncertain
# assumption (costs included) varied on one Latin hypercube; each path alone fitted to the budget at every point
# (no arm spends more than it), common random numbers, more seeds where a point's best buy is noise; PRIM boxes.
#   experiments/discovery/run.sh OUT [BUDGET]      (BUDGET in 万元, default 15)
set -e
OUT=${1:?usage: run.sh OUT [BUDGET]}
mkdir -p "$OUT"
villagesim compare --scenario default --budget "${2:-15}" --vary-village --points 96 --seed 2026 --workers 2 \
  --json > "$OUT/discovery.json"   # paths, drivers and PRIM boxes (docs/sweeps.md)
