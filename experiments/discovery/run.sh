#!/bin/sh
# 情景发现：六个等成本方案在同一拉丁超立方上运行，然后用 PRIM 找出每条路径“每万元效果最好”的区域。
# Scenario discovery: the six equal-cost arms on one Latin hypercube, then PRIM boxes where each path is the best buy.
#   experiments/discovery/run.sh OUT      (about 770 runs; a few minutes on 2 cores)
set -e
OUT=${1:?usage: run.sh OUT}
HERE=$(dirname "$0")
for arm in none standardization training venue digital recruitment; do
  villagesim sweep "$HERE/arm_$arm.toml" --out "$OUT/arm_$arm" --workers 2
done
villagesim analyze "$OUT" --discover best_path
