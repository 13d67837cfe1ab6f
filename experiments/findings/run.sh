#!/usr/bin/env bash
# All sweeps behind docs/findings.md, then the tables and figures. Usage: experiments/findings/run.sh [OUT]
# 960 runs of 120 months (about 5 minutes on 2 shared cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-findings-out}"
for arm in none standardization training venue digital recruitment; do
  .venv/bin/villagesim sweep "experiments/findings/arm_$arm.toml" --out "$out/arm_$arm" --workers 2
  .venv/bin/villagesim sweep "experiments/findings/lhs_$arm.toml" --out "$out/lhs_$arm" --workers 2
done
.venv/bin/villagesim sweep experiments/findings/morris_default.toml --out "$out/morris_default" --workers 2
.venv/bin/villagesim analyze "$out/morris_default"
.venv/bin/python experiments/findings/summarize.py "$out"
