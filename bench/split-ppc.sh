#!/bin/sh
# Splits the qemu-ppc gap into a fixed part (start-up and JIT warm-up, paid once) and a part per
# unit of work, by running cpubench at scale 1 and scale 3 (1x and 3x the sort rounds, hashing
# passes and n-body steps) under Debian's qemu-ppc and ours, interleaved, $RUNS pairs (default 3).
#   per unit = (time at scale 3 - time at scale 1) / 2;  fixed = time at scale 1 - per unit
# Wall seconds and user+sys CPU seconds, medians over the runs; on a machine shared with other
# work only the CPU columns mean much (docs/PERFORMANCE.md, qemu-ppc, session 6).
# BASELINE=/path/to/other/bin/qemu-ppc adds a third emulator to each interleaved pair (another
# build of ours, e.g. main's jars in a separate worktree) and a row for it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ours=$root/bin/qemu-ppc
baseline=${BASELINE:-}
contenders="qemu ours"
[ -n "$baseline" ] && contenders="qemu baseline ours"

powerpc-linux-gnu-gcc -static -O2 "$here/src/cpubench.c" -o "$work/cpubench-ppc" -lm
python3 "$here/src/mffs-fallback-ppc.py" "$work/cpubench-ppc" >/dev/null
gcc -O2 "$here/src/cpubench.c" -o "$work/cpubench-native" -lm

# one EMULATOR SCALE: "wall cpu" of one run, after checking the output against the native build's
one() {
  expected=$("$work/cpubench-native" "$2")
  out=$(/usr/bin/time -f '%e %U %S' -o "$work/split-usage" "$1" "$work/cpubench-ppc" "$2")
  [ "$out" = "$expected" ] || { echo "split-ppc: $1 printed something else at scale $2" >&2; exit 1; }
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$work/split-usage"
}

median() {
  sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

: > "$work/split-results"
i=0
while [ $i -lt "$runs" ]; do
  for scale in 1 3; do
    for who in $contenders; do
      case $who in qemu) emulator=qemu-ppc ;; baseline) emulator=$baseline ;; *) emulator=$ours ;; esac
      echo "$who $scale $(one "$emulator" $scale)" >> "$work/split-results"
    done
  done
  i=$((i + 1))
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| | scale 1 wall (CPU) | scale 3 wall (CPU) | per unit wall (CPU) | fixed wall (CPU) |"
echo "| --- | --- | --- | --- | --- |"
for who in $contenders; do
  w1=$(awk -v w=$who '$1 == w && $2 == 1 {print $3}' "$work/split-results" | median)
  c1=$(awk -v w=$who '$1 == w && $2 == 1 {print $4}' "$work/split-results" | median)
  w3=$(awk -v w=$who '$1 == w && $2 == 3 {print $3}' "$work/split-results" | median)
  c3=$(awk -v w=$who '$1 == w && $2 == 3 {print $4}' "$work/split-results" | median)
  echo "$who $w1 $c1 $w3 $c3" | awk '{
    uw = ($4 - $2) / 2; uc = ($5 - $3) / 2
    printf "| %s | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) |\n", $1 == "qemu" ? "Debian qemu-ppc 7.2" : $1 == "baseline" ? "baseline" : "ours", $2, $3, $4, $5, uw, uc, $2 - uw, $3 - uc }'
done
