#!/usr/bin/env bash
# GPU check for the engagement model (learn and predict on CUDA), sized for a few minutes:
#   1. the evaluation protocol on the jbencina news posts, trained and scored on the GPU;
#   2. predict throughput over 100k posts on the GPU, then on the CPU with the same model.
# Usage: scripts/gpu_check.sh   (PYTHON=... to choose the interpreter; it needs torch with CUDA)
# Prints the numbers; writes nothing outside a temporary folder and $OUT (when set).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  if [ -x .venv/bin/python ] && .venv/bin/python -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
    PYTHON=.venv/bin/python
  else
    PYTHON=python3
  fi
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export FBOPT_HOME="${OUT:-$(mktemp -d)}/fbopt_home"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PYTHON" - <<'EOF'
import torch
print("torch", torch.__version__, "cuda available:", torch.cuda.is_available())
assert torch.cuda.is_available(), "no CUDA device: this check needs one"
EOF

DATA=../shared/data/jbencina-facebook-news/fb_news_posts_20K.csv
[ -f "$DATA" ] || DATA=shared/data/jbencina-facebook-news/fb_news_posts_20K.csv
[ -f "$DATA" ] || DATA=sample_data/posts.csv
echo "== data: $DATA"

MODEL_DIR=$(mktemp -d)
echo "== eval on cuda (learn on each page's first 80%, predict the last 20%)"
timeout 300 "$PYTHON" scripts/eval_engagement.py "$DATA" --device cuda

echo "== learn a short model on cuda for the throughput runs"
timeout 180 "$PYTHON" - "$DATA" "$MODEL_DIR/model.pt" <<'EOF'
import sys, time
import fbopt
from fbopt.config import load_config
start = time.perf_counter()
result = fbopt.learn(sys.argv[1], model_path=sys.argv[2], device="cuda",
                     config=load_config(None, {"engagement.epochs": 2, "engagement.refit": False}),
                     report=sys.argv[2] + ".json")
print(f"learned on cuda in {time.perf_counter() - start:.1f}s (train batch "
      f"{result.report.metrics['train_batch_size']})")
EOF

echo "== predict throughput, 100k posts, GPU"
timeout 180 "$PYTHON" scripts/measure_predict_throughput.py --data "$DATA" --device cuda \
  --model-path "$MODEL_DIR/model.pt" --repeat 2
echo "== predict throughput, 100k posts, CPU (same machine, same model)"
timeout 180 "$PYTHON" scripts/measure_predict_throughput.py --data "$DATA" --device cpu \
  --model-path "$MODEL_DIR/model.pt" --repeat 2
rm -rf "$MODEL_DIR"
