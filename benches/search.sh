#!/usr/bin/env bash
# Search at a city's size (see BENCHMARKS.md): the reindex, then search latency with snippets
# for common words, citizens' long phrasings and mixed Chinese/ASCII, one request at a time and
# under 8 clients, every request built afresh (an ignored parameter defeats the page cache).
#   bash benches/search.sh [N]    (default 1000000; results in target/bench/search-N/results.txt)
#   BIN=/path/to/lianxin bash benches/search.sh [N]    (the same with another build)
# The opinions are those of benches/scale.sh (gen-corpus, seed 7), generated and imported here
# unless target/bench/search-N/data already holds them.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
OUT=target/bench/search-$N
RESULTS=$OUT/results.txt
PORT=18081
ROUNDS=${ROUNDS:-5}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# BIN=path runs another build (an earlier commit's, side by side) instead of building this one.
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/lianxin
fi
mkdir -p "$OUT"
export LIANXIN_DATA_DIR=$OUT/data LIANXIN_LOG=warn
: > "$RESULTS"
say() { echo "$*" | tee -a "$RESULTS"; }
timed() { /usr/bin/time -f "%e %M %P" -o "$OUT/time" "$@" >/dev/null; read -r secs kib cpu < "$OUT/time"; }

say "# Search at $N opinions — $(date -u +%F), $(git rev-parse --short HEAD), $(nproc) cores"
if [ ! -f "$OUT/data/lianxin.db" ]; then
  "$BIN" gen-corpus --n "$N" --seed 7 --output "$OUT/corpus.jsonl" >/dev/null
  "$BIN" seed-demo >/dev/null
  "$BIN" import opinions "$OUT/corpus.jsonl" >/dev/null
  rm -f "$OUT/corpus.jsonl"
fi
timed "$BIN" reindex
say "reindex: ${secs} s, CPU ${cpu} (200 % is both cores busy), peak RSS $((kib / 1024)) MiB, index $(du -sh "$OUT/data/index" | cut -f1)"

LIANXIN_BIND=127.0.0.1:$PORT "$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.05; done

common=(噪音 停车难 垃圾 物业 路灯 积水 油烟 施工 学校 医院 公交 拆迁 养老 供暖 占道 违建 绿化 小区 投诉 建议)
phrasings=(噪音扰民 餐馆油烟 小区停车难 过年打车乱涨价 夜宵摊吵到半夜 工地半夜施工吵 自来水又黄又浑 楼上装修太吵睡不着 路灯坏了好几天没人修 小区垃圾没人清运臭气熏天)
mixed=(3号线 A7县 58车贷 KTV噪音 5G基站 2路公交)
encode() { python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
# One request at a time: the latency a single citizen sees.
one_by_one() {
  local kind=$1; shift
  : > "$OUT/latency-$kind"
  for round in $(seq "$ROUNDS"); do
    for q in "$@"; do
      curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/v1/search?q=$(encode "$q")&nocache=$round" >> "$OUT/latency-$kind"
    done
  done
  sort -n "$OUT/latency-$kind" | awk -v kind="$kind" '{a[NR] = $1 * 1000} END {
    printf "| %s | %d | %.1f ms | %.1f ms | %.1f ms |\n", kind, NR, a[int(NR * 0.5)], a[int(NR * 0.99 + 0.5)], a[NR] }' | tee -a "$RESULTS"
}
say ""
say "| queries, one at a time | requests | p50 | p99 | max |"
say "|---|---|---|---|---|"
one_by_one common "${common[@]}"
one_by_one phrasings "${phrasings[@]}"
one_by_one mixed "${mixed[@]}"
cat "$OUT"/latency-common "$OUT"/latency-phrasings "$OUT"/latency-mixed > "$OUT/latency-all"
sort -n "$OUT/latency-all" | awk '{a[NR] = $1 * 1000} END {
  printf "| all | %d | %.1f ms | %.1f ms | %.1f ms |\n", NR, a[int(NR * 0.5)], a[int(NR * 0.99 + 0.5)], a[NR] }' | tee -a "$RESULTS"

# Eight clients at once over every query above, each request afresh.
{
  echo 'paths = {'
  for q in "${common[@]}" "${phrasings[@]}" "${mixed[@]}"; do echo "  \"/api/v1/search?q=$(encode "$q")\","; done
  echo '}'
  cat <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1] .. "&nocache=" .. counter .. "-" .. math.random(1000000000))
end
LUA
} > "$OUT/mix.lua"
wrk -t2 -c8 -d10s --latency -s "$OUT/mix.lua" "http://127.0.0.1:$PORT" > "$OUT/wrk"
say ""
say "8 clients, all queries in turn, 10 s: $(awk '/Requests\/sec/ {print $2}' "$OUT/wrk") req/s, p50 $(awk '$1 == "50%" {print $2}' "$OUT/wrk"), p99 $(awk '$1 == "99%" {print $2}' "$OUT/wrk")$(awk '/Non-2xx/ {printf ", **%s non-2xx**", $5}' "$OUT/wrk")"
