# Shared by the benchmark scripts; sourced, not run.

# bench_prepare NAME TOOL...: exits 2 naming the first TOOL not on PATH, then builds the
# release binary ($ROOT is the repository).
bench_prepare() {
    local name=$1 tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$name: needs $tool" >&2; exit 2; }
    done
    echo "== building release binary"
    (cd "$ROOT" && cargo build --release --quiet)
}

# time_cmd LABEL CMD...: runs CMD $RUNS times, in the current directory, under /usr/bin/time, stdout to
# $WORK/out.LABEL. Appends "LABEL median_s min_s median_ms peak_rss_kib exit" to
# $WORK/results: median_s/min_s are /usr/bin/time's %e (10 ms resolution), median_ms the
# same runs on the nanosecond clock, peak_rss_kib the largest %M of the runs.
time_cmd() {
    local label=$1; shift
    local walls=() clocks=() rss=0 rc wall mem i t0 t1
    for ((i = 1; i <= RUNS; i++)); do
        rc=0
        t0=$(date +%s%N)
        /usr/bin/time -f '%e %M' -o "$WORK/time.$label" "$@" >"$WORK/out.$label" 2>"$WORK/err.$label" || rc=$?
        t1=$(date +%s%N)
        read -r wall mem < <(tail -n 1 "$WORK/time.$label")
        walls+=("$wall")
        clocks+=("$(((t1 - t0) / 1000000))")
        if ((mem > rss)); then rss=$mem; fi
        echo "  $label run $i: ${wall}s ($(((t1 - t0) / 1000000)) ms) ${mem}KiB exit $rc"
    done
    local mid=$(((RUNS + 1) / 2)) sorted clocks_sorted
    sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
    clocks_sorted=$(printf '%s\n' "${clocks[@]}" | sort -g)
    echo "$label $(sed -n "${mid}p" <<<"$sorted") $(head -n 1 <<<"$sorted") $(sed -n "${mid}p" <<<"$clocks_sorted") $rss $rc" \
        >>"$WORK/results"
}
