#!/bin/sh
# Where one run of a guest program under bin/qemu-x86_64 spends the run loop thread's time, with
# async-profiler (a JVMTI agent from Maven Central, fetched into target/bench once; not a
# dependency of the build): unlike JFR's sampler it sees frames in HotSpot's bytecode interpreter,
# which is where start-up and each phase's warm-up go. Prints the thread's samples by the kind of
# the frame on top (interpreted, C1, C2, inlined, native, kernel) and the innermost qemu methods
# with the most samples, per kind; keeps the collapsed stacks for a closer look.
#   bench/profile-x86_64.sh program [args...]
# INTERVAL (default 1ms; 100us for short runs), TOP (default 25), EMULATOR (default qemu-x86_64:
# any bin/ launcher of a user-mode emulator). The agent makes the JVM exit the usual way (the
# launcher leaves its direct exit out when QEMU_JAVA_OPTS holds -agentpath), so the profile is
# written; the run is slower than usual, and interpreted code looks dearer than it is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 program [args...]" >&2; exit 2; }
version=4.2
agent=$work/async-profiler-$version/linux-x64/libasyncProfiler.so
if [ ! -f "$agent" ]; then
  # 3.0 crashes JDK 25 (Profiler::updateThreadName); 4.2 works
  jar=$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar
  [ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$version >/dev/null
  mkdir -p "$work/async-profiler-$version"
  (cd "$work/async-profiler-$version" && unzip -o -q "$jar" 'linux-x64/*')
fi
out=$work/profile-$$.collapsed
QEMU_JAVA_OPTS="${QEMU_JAVA_OPTS:-} -agentpath:$agent=start,event=cpu,interval=${INTERVAL:-1ms},file=$out,collapsed,ann" \
  "$root/bin/${EMULATOR:-qemu-x86_64}" "$@" >/dev/null
python3 - "$out" "${TOP:-25}" <<'PY'
import collections, re, sys
kinds = {'0': 'interpreted', '1': 'C1', 'j': 'C2', 'i': 'inlined', 'k': 'kernel'}
by_kind, top, threads = collections.Counter(), collections.Counter(), collections.Counter()
total = 0
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(' ', 1)
    n = int(n)
    frames = stack.split(';')
    # the run loop thread is the launcher's main thread: its stacks go through the launcher
    if not any('Launcher.launch' in f for f in frames):
        threads['other threads'] += n
        continue
    total += n
    m = re.search(r'_\[(\w)\]$', frames[-1])
    kind = kinds.get(m.group(1), m.group(1)) if m else 'native (JVM, libc)'
    by_kind[kind] += n
    ours = [f for f in frames if f.startswith('org/qemu')]
    if ours:
        top[(kind, re.sub(r'0x[0-9a-f]+', 'X', re.sub(r'_\[\w\]$', '', ours[-1])))] += n
print(f'run loop thread: {total} samples; other threads: {threads["other threads"]}')
for k, v in by_kind.most_common():
    print(f'  {k:20} {v:7} {100 * v / max(total, 1):5.1f}%')
print('innermost qemu method, by the kind of the top frame:')
for (k, meth), v in top.most_common(int(sys.argv[2])):
    print(f'  {v:7} {100 * v / max(total, 1):5.1f}%  {k:12} {meth}')
PY
echo "collapsed stacks (flame graph input): $out"
