#!/usr/bin/env bash
# Whole-system benchmarks at a city's size, side by side in one run (see BENCHMARKS.md):
#   bash benches/scale.sh [N]        (default N = 1000000; results in target/bench/N/results.txt)
# Builds release, generates N opinions, imports and reindexes them (time, peak RSS), starts the
# portal on SQLite, and loads each page with wrk beside a bare actix-web + tera page of the same
# size (the ceiling), then submissions, then Python jieba (the tokenizer's rival).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
OUT=target/bench/$N
RESULTS=$OUT/results.txt
PORT=18080
CEILING_PORT=18099
THREADS=2
CONNECTIONS=8
SECONDS_EACH=${SECONDS_EACH:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
cargo bench --bench ceiling --no-run --quiet 2>/dev/null
CEILING=$(ls -t target/release/deps/ceiling-* | grep -v '\.d$' | head -1)
BIN=target/release/lianxin
rm -rf "$OUT" && mkdir -p "$OUT"
export LIANXIN_DATA_DIR=$OUT/data LIANXIN_LOG=warn
: > "$RESULTS"
say() { echo "$*" | tee -a "$RESULTS"; }
timed() { /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" >/dev/null; read -r secs kib < "$OUT/time"; }

say "# Lianxin at $N opinions — $(date -u +%F), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
timed "$BIN" gen-corpus --n "$N" --seed 7 --output "$OUT/corpus.jsonl"
say "gen-corpus: ${secs} s, peak RSS $((kib / 1024)) MiB"
timed "$BIN" seed-demo
timed "$BIN" import opinions "$OUT/corpus.jsonl"
say "import: ${secs} s ($(awk -v n="$N" -v s="$secs" 'BEGIN {printf "%.0f", n / s}') rows/s), peak RSS $((kib / 1024)) MiB"
timed "$BIN" reindex
say "reindex: ${secs} s, peak RSS $((kib / 1024)) MiB"

start=$(date +%s.%N)
LIANXIN_BIND=127.0.0.1:$PORT LIANXIN_TRUST_PROXY=true LIANXIN_LIMIT_SUBMIT=100000000/min "$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER ${CEILING_PID:-} 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.05; done
say "start-up with an existing index: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s"
# The scores job's first pass (every live period over all opinions) before pages are loaded.
until curl -s "http://127.0.0.1:$PORT/satisfaction" | grep -q '更新于'; do sleep 1; done

problem=$(curl -s "http://127.0.0.1:$PORT/lists" | grep -o '/problems/WT-[0-9-]*' | head -1)
say ""
# Each page twice: as visitors get it (the same URL again: the public page cache answers) and
# built afresh every time (a counter in an ignored parameter defeats the cache).
cat > "$OUT/miss.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format("GET", wrk.path .. sep .. "nocache=" .. counter .. "-" .. math.random(1000000000))
end
LUA
say "| page | bytes | Lianxin req/s | p50 | p99 | built afresh req/s | p99 | ceiling req/s | ratio (cached / afresh) |"
say "|---|---|---|---|---|---|---|---|---|"
load() { wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_EACH}s --latency "$1" > "$OUT/wrk"; }
rps() { awk '/Requests\/sec/ {print $2}' "$OUT/wrk"; }
pct() { awk -v p="$1" '$1 == p {print $2}' "$OUT/wrk"; }
for path in / /lists "$problem" /satisfaction "/api/v1/search?q=%E5%99%AA%E9%9F%B3" "/search?q=%E5%81%9C%E8%BD%A6%E9%9A%BE" /api/v1/problems; do
  url="http://127.0.0.1:$PORT$path"
  bytes=$(curl -s "$url" | wc -c)
  load "$url"
  ours=$(rps) p50=$(pct 50%) p99=$(pct 99%)
  wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_EACH}s --latency -s "$OUT/miss.lua" "$url" > "$OUT/wrk"
  fresh=$(rps) fresh99=$(pct 99%)
  "$CEILING" "127.0.0.1:$CEILING_PORT" "$bytes" & CEILING_PID=$!
  until curl -sf "http://127.0.0.1:$CEILING_PORT/" >/dev/null; do sleep 0.05; done
  load "http://127.0.0.1:$CEILING_PORT/"
  ceiling=$(rps)
  kill $CEILING_PID; wait $CEILING_PID 2>/dev/null || true
  say "| \`$path\` | $bytes | $ours | $p50 | $p99 | $fresh | $fresh99 | $ceiling | $(awk -v a="$ours" -v f="$fresh" -v b="$ceiling" 'BEGIN {printf "%.0f %% / %.0f %%", 100 * a / b, 100 * f / b}') |"
done

# The staff desks, logged in as each demo role (never cached: every request builds the page).
login() {
  local jar=$OUT/jar-$1
  rm -f "$jar"
  token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "next=/" \
    --data-urlencode "username=$1" --data-urlencode "password=lianxin-demo-2026" "http://127.0.0.1:$PORT/login"
  awk '!/^#/ && NF >= 7 {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7} /^#HttpOnly_/ {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}' "$jar"
}
office_cookie=$(login jixiaoban) unit_cookie=$(login zjj) publicity_cookie=$(login xuanchuanbu) admin_cookie=$(login admin)
opinion_id=$(curl -s -H "Cookie: $office_cookie" "http://127.0.0.1:$PORT/office/opinions" | grep -o '/office/opinions/[0-9][0-9]*' | head -1)
theme_id=$(curl -s -H "Cookie: $office_cookie" "http://127.0.0.1:$PORT/office/themes" | grep -o '/office/themes/[0-9][0-9]*' | head -1)
subject=$(curl -s -H "Cookie: $office_cookie" "http://127.0.0.1:$PORT/office/scores" | grep -o '/office/scores/unit/[A-Za-z0-9_-]*' | head -1)
unit_opinion=$(curl -s -H "Cookie: $unit_cookie" "http://127.0.0.1:$PORT/unit/opinions" | grep -o '/unit/opinions/[0-9][0-9]*' | head -1)
say ""
say "| desk page (logged in) | bytes | req/s | p50 | p99 |"
say "|---|---|---|---|---|"
while read -r who path; do
  [ -n "$path" ] || continue
  cookie_var=${who}_cookie
  url="http://127.0.0.1:$PORT$path"
  bytes=$(curl -s -H "Cookie: ${!cookie_var}" "$url" | wc -c)
  wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_EACH}s --latency -H "Cookie: ${!cookie_var}" "$url" > "$OUT/wrk"
  non2xx=$(awk '/Non-2xx/ {print $5}' "$OUT/wrk")
  say "| $who \`$path\` | $bytes | $(rps) | $(pct 50%) | $(pct 99%) |${non2xx:+ **$non2xx non-2xx**}"
done <<DESKS
office /office
office /office/opinions
office $opinion_id
office /office/opinions?status=received
office /office/themes
office $theme_id
office /office/scores
office $subject
office /office/verify
office /office/followups
unit /unit
unit /unit/opinions
unit $unit_opinion
publicity /publicity
admin /admin
admin /admin/audit
DESKS

# Search latency one request at a time, as the issue first measured it: 20 common queries × 3,
# each built afresh (an ignored parameter defeats the page cache).
: > "$OUT/latency"
for round in 1 2 3; do
  for q in 噪音 停车难 垃圾 物业 路灯 积水 油烟 施工 学校 医院 公交 拆迁 养老 供暖 占道 违建 绿化 小区 投诉 建议; do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/v1/search?q=$(python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$q")&nocache=$round" >> "$OUT/latency"
  done
done
say ""
say "search API one at a time (60 requests): $(sort -n "$OUT/latency" | awk '{a[NR] = $1 * 1000} END {printf "p50 %.1f ms, p99 %.1f ms", a[int(NR * 0.5)], a[int(NR * 0.99)]}')"

# Submissions: each request a new citizen address; every 201 must be stored.
cat > "$OUT/submit.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"kind":"help","title":"小区门口路灯不亮%d","content":"晚上出行不安全，请尽快维修路灯，谢谢。","region":"江南区"}', counter)
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = string.format("10.%d.%d.%d", counter % 250, math.random(250), math.random(250)) }
  return wrk.format("POST", "/api/v1/opinions", headers, body)
end
LUA
say ""
# Submissions are filed in groups (src/opinions/intake.rs): more clients waiting, bigger groups.
for clients in $CONNECTIONS 64; do
  before=$(sqlite3 "$OUT/data/lianxin.db" 'select count(*) from opinions')
  wrk -t$THREADS -c$clients -d${SECONDS_EACH}s --latency -s "$OUT/submit.lua" "http://127.0.0.1:$PORT" > "$OUT/wrk"
  sent=$(awk '/requests in/ {print $1}' "$OUT/wrk")
  failed=$(awk '/Non-2xx/ {print $5}' "$OUT/wrk"); failed=${failed:-0}
  sleep 1
  after=$(sqlite3 "$OUT/data/lianxin.db" 'select count(*) from opinions')
  say "submissions (SQLite, $clients clients): $(rps) req/s, p99 $(pct 99%); $((sent - failed)) acknowledged, $((after - before)) stored"
done
say "serve RSS after the run: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status), peak $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"

# The same submissions on PostgreSQL (the demo city in a database of its own; PG_URL names the
# server, the local one by default).
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
if psql "$PG_URL/postgres" -qc 'select 1' >/dev/null 2>&1; then
  psql "$PG_URL/postgres" -qc 'drop database if exists lianxin_bench' -c 'create database lianxin_bench' >/dev/null
  export DATABASE_URL=$PG_URL/lianxin_bench
  LIANXIN_DATA_DIR=$OUT/pg "$BIN" seed-demo >/dev/null
  LIANXIN_DATA_DIR=$OUT/pg LIANXIN_BIND=127.0.0.1:$((PORT + 1)) LIANXIN_TRUST_PROXY=true LIANXIN_LIMIT_SUBMIT=100000000/min \
    "$BIN" serve > "$OUT/serve-pg.log" 2>&1 &
  PG_SERVER=$!
  until curl -sf "http://127.0.0.1:$((PORT + 1))/healthz" >/dev/null; do sleep 0.05; done
  for clients in $CONNECTIONS 64; do
    before=$(psql "$DATABASE_URL" -tAc 'select count(*) from opinions')
    wrk -t$THREADS -c$clients -d${SECONDS_EACH}s --latency -s "$OUT/submit.lua" "http://127.0.0.1:$((PORT + 1))" > "$OUT/wrk"
    sent=$(awk '/requests in/ {print $1}' "$OUT/wrk")
    failed=$(awk '/Non-2xx/ {print $5}' "$OUT/wrk"); failed=${failed:-0}
    sleep 1
    after=$(psql "$DATABASE_URL" -tAc 'select count(*) from opinions')
    say "submissions (PostgreSQL, demo city, $clients clients): $(rps) req/s, p99 $(pct 99%); $((sent - failed)) acknowledged, $((after - before)) stored"
  done
  kill $PG_SERVER; wait $PG_SERVER 2>/dev/null || true
  unset DATABASE_URL
else
  say "submissions (PostgreSQL): no server at $PG_URL"
fi

# The rival tokenizer: Python jieba's cut_for_search over the same text as benches/tokenizer.rs.
python3 -m venv "$OUT/venv" && "$OUT/venv/bin/pip" install --quiet jieba
"$OUT/venv/bin/python" - <<'PY' | tee -a "$RESULTS"
import json, os, time, jieba
path = "../shared/data/taidi2020/labeled.jsonl"
lines = []
if os.path.exists(path):
    for line in open(path, encoding="utf-8"):
        m = json.loads(line)
        lines += [m.get("title", ""), m.get("body", "")]
        if sum(len(l.encode()) for l in lines) > 2_000_000:
            break
jieba.initialize()
size = sum(len(l.encode()) for l in lines) + len(lines)
best = None
for _ in range(3):
    t = time.perf_counter()
    for l in lines:
        list(jieba.cut_for_search(l))
    best = min(best or 1e9, time.perf_counter() - t)
print(f"python jieba cut_for_search: {size / best / 1048576:.2f} MiB/s over {size} bytes")
PY
echo "results: $RESULTS"
