#!/usr/bin/env bash
# Measures every figure README's "How fast" quotes and writes them to bench/results/readme-*.json;
# `npm run bench:readme` then rewrites the README table from those files. Needs `npm run build`
# first, ffmpeg (for the clip) and a quiet-ish machine; each run is bounded by `timeout`.
#
#   bash bench/readme-run.sh            # Node and Bun, one `framekit bench --json` run each,
#                                       # then `framekit track --json` on the embedded default and a clip
#   npm run bench:readme                # README's table from the JSON just written
#
# READMEBENCH_TIMEOUT_S bounds each bench run (default 1800 s), READMEBENCH_TIME_MS is tinybench's
# time per task (default 500, as `framekit bench`), READMEBENCH_STEPS picks the steps to run
# (default "node bun track": both bench runs, then the track runs), READMEBENCH_TRACK_ROUNDS the
# runs of each track input per runtime (default 1; the median run is kept, see below).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
limit=${READMEBENCH_TIMEOUT_S:-1800}
time_ms=${READMEBENCH_TIME_MS:-500}
steps=" ${READMEBENCH_STEPS:-node bun track} "
bun=node_modules/.bin/bun
cli=dist/ts/cli/main.js
[ -f "$cli" ] || { echo "no $cli: run npm run build first" >&2; exit 1; }

# The kernels of README's table and the track rows, at the two sizes it quotes.
kernels=targets,fast,orb,lk,good-features,track
sizes=1280x720,1920x1080
for rt in node bun; do
  [[ "$steps" == *" $rt "* ]] || continue
  run=node
  [ "$rt" = bun ] && run=$bun
  echo "framekit bench on $rt ($kernels at $sizes)" >&2
  timeout "$limit" "$run" "$cli" bench --json --kernel "$kernels" --sizes "$sizes" --time "$time_ms" >"$out/readme-bench-$rt.json.tmp"
  mv "$out/readme-bench-$rt.json.tmp" "$out/readme-bench-$rt.json"
done

[[ "$steps" == *" track "* ]] || exit 0

# A real clip: an H.264 pan (640x480, 30 fps, 8 s) over a public-domain photograph of test/fixtures,
# decoded by ffmpeg as any video would be. Made here rather than committed: this command is its source.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clip=$tmp/hubble-pan.mp4
ffmpeg -v error -nostdin -y -loop 1 -framerate 30 -i test/fixtures/hubble_deep_field.jpg \
  -vf "crop=640:480:'t*28':'t*60',format=yuv420p" -t 8 -c:v libx264 -crf 18 -threads 1 "$clip"

# `framekit track --json` prints one line per frame and its summary last: keep the summary. Each
# input runs READMEBENCH_TRACK_ROUNDS times (default 1) per runtime, Node and Bun alternating, so
# drift in the machine's load falls on both; the file keeps the summary of the run with the median
# end-to-end fps, and `runs` lists every run's fps and pipeline fps (the spread).
rounds=${READMEBENCH_TRACK_ROUNDS:-1}
for input in default clip; do
  args=()
  [ "$input" = clip ] && args=("$clip")
  for ((i = 0; i < rounds; i++)); do
    for rt in node bun; do
      run=node
      [ "$rt" = bun ] && run=$bun
      echo "framekit track ($input) on $rt, round $((i + 1)) of $rounds" >&2
      timeout "$limit" "$run" "$cli" track "${args[@]}" --json | tail -n 1 >"$tmp/track-$input-$rt-$i.json"
    done
  done
  for rt in node bun; do
    node -e '
      const fs = require("fs");
      const [dir, input, rt, n, dest] = process.argv.slice(1);
      const runs = [];
      for (let i = 0; i < +n; i++) runs.push(JSON.parse(fs.readFileSync(`${dir}/track-${input}-${rt}-${i}.json`, "utf8")));
      const sorted = [...runs].sort((a, b) => a.summary.fps - b.summary.fps);
      const median = sorted[(sorted.length - 1) >> 1];
      const spread = runs.map((r) => ({ fps: r.summary.fps, pipelineFps: r.summary.pipelineFps }));
      fs.writeFileSync(dest, JSON.stringify({ ...median, runs: spread }) + "\n");
    ' "$tmp" "$input" "$rt" "$rounds" "$out/readme-track-$input-$rt.json"
  done
done
echo "wrote $out/readme-track-{default,clip}-{node,bun}.json" >&2
