# Shared by bench/run-i386.sh, run-ppc.sh, run-x86_64.sh, phases-i386.sh, split-ppc.sh,
# warmup-x86_64.sh and sortcurve-x86_64.sh, sourced after they set $here (the bench folder): the
# tree's root, Java 25, the work folder target/bench, $runs from RUNS (default 3), and the
# measuring functions.
root=$(cd "$here/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$root/target/bench
mkdir -p "$work"
runs=${RUNS:-3}

# run_once CHECK COMMAND...: one run as "wall:cpu:rss_kib", or "n/a" when the command fails,
# "wrong" when CHECK is not empty and the output differs from it.
run_once() {
  check=$1; shift
  start=$(date +%s.%N)
  if ! out=$(/usr/bin/time -f '%M %U %S' -o "$work/usage" "$@" 2>/dev/null); then echo "n/a"; return; fi
  end=$(date +%s.%N)
  if [ -n "$check" ] && [ "$out" != "$check" ]; then echo "wrong"; return; fi
  read -r r u sy < "$work/usage"
  echo "$(echo "$end - $start" | bc -l):$(echo "$u + $sy" | bc -l):$r"
}

# summarize "wall:cpu:rss ..." (or a list holding n/a or wrong): "wall cpu rss" as measure prints it.
summarize() {
  case " $* " in *" n/a "*) echo "n/a n/a n/a"; return ;; *" wrong "*) echo "wrong n/a n/a"; return ;; esac
  rss=0
  for x in "$@"; do r=${x##*:}; [ "$r" -gt "$rss" ] && rss=$r; done
  med=$(printf '%s\n' "$@" | sort -t: -k1 -n | sed -n "$(( ($# + 1) / 2 ))p")
  rest=${med#*:}
  printf '%.3f %.2f %d\n' "${med%%:*}" "${rest%%:*}" $((rss / 1024))
}

# measure CHECK COMMAND...: "wall cpu rss" — median wall seconds of $runs runs, the user+sys CPU
# seconds of that run (JIT threads included), peak RSS in MiB; "n/a n/a n/a" when the command
# fails, "wrong n/a n/a" when CHECK is not empty and the output differs from it (no more runs then).
measure() {
  results=
  i=0
  while [ $i -lt "$runs" ]; do
    r=$(run_once "$@")
    results="$results $r"
    case "$r" in n/a|wrong) break ;; esac
    i=$((i + 1))
  done
  # shellcheck disable=SC2086 # a word list on purpose
  summarize $results
}

# measure_interleaved CHECK OURS COMMAND...: measure's three columns for native, Debian's
# qemu-x86_64 and OURS (a launcher), each round running all three in turn, $runs rounds, so each
# contender's median comes from the same minutes (this VM's speed, and Debian's QEMU's own time,
# moves by a third within minutes: measured one after the other, a contender could take all its
# runs in a slow stretch). Prints the three triples on one line.
measure_interleaved() {
  check=$1; launcher=$2; shift 2
  n= q= o=
  i=0
  while [ $i -lt "$runs" ]; do
    n="$n $(run_once "$check" "$@")"
    q="$q $(run_once "$check" qemu-x86_64 "$@")"
    o="$o $(run_once "$check" "$launcher" "$@")"
    i=$((i + 1))
  done
  # shellcheck disable=SC2086 # word lists on purpose
  echo "$(summarize $n) $(summarize $q) $(summarize $o)"
}

# table_row NAME NATIVE(3 fields) QEMU(3) OURS(3): one Markdown row with ours/QEMU wall and CPU ratios.
table_row() {
  name=$1; shift
  ratio=n/a
  cpu_ratio=n/a
  case "$4$7" in *n/a*|*wrong*) ;; *)
    ratio=$(printf '%.2f' "$(echo "$7 / $4" | bc -l)")
    # GNU time's CPU has 10 ms steps: a start-up run of QEMU shows 0.00, no ratio then
    case "$5" in 0|0.0|0.00) ;; *) cpu_ratio=$(printf '%.2f' "$(echo "$8 / $5" | bc -l)") ;; esac ;;
  esac
  echo "| $name | $1 s ($2 s CPU, $3 MiB) | $4 s ($5 s CPU, $6 MiB) | $7 s ($8 s CPU, $9 MiB) | $ratio | $cpu_ratio |"
}

# self_timed_x86_64 PROGRAM ARGS...: a static x86-64 program that times itself (stderr) runs
# natively, under Debian's qemu-x86_64 and under ours (and BASELINE, another launcher), one after
# the other, $runs times; each run's stdout must be the native run's; prints "== NAME, run N" and
# the run's stderr, with the load average before and after (bench/warmup-x86_64.sh, sortcurve-x86_64.sh).
self_timed_x86_64() {
  program=$1; shift
  expected=$("$program" "$@" 2>/dev/null)
  contenders="native: qemu:qemu-x86_64 ours:$root/bin/qemu-x86_64"
  [ -n "${BASELINE:-}" ] && contenders="$contenders baseline:$BASELINE"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  i=0
  while [ $i -lt "$runs" ]; do
    for c in $contenders; do
      name=${c%%:*}; launcher=${c#*:}
      if [ -z "$launcher" ]; then
        out=$("$program" "$@" 2>"$work/self-timed.err")
      else
        out=$("$launcher" "$program" "$@" 2>"$work/self-timed.err")
      fi
      [ "$out" = "$expected" ] || { echo "$name: wrong checksum ($out, native $expected)"; exit 1; }
      echo "== $name, run $((i + 1))"
      cat "$work/self-timed.err"
    done
    i=$((i + 1))
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
