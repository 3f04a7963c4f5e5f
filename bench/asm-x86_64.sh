#!/bin/sh
# The machine code C2 made of the block classes of one run under bin/qemu-x86_64: HotSpot's
# -XX:+PrintAssembly with a disassembler plug-in of ours (bench/src/hsdis-capstone.c, built into
# target/bench/hsdis once; needs gcc and Debian's libcapstone-dev). Writes every C2 compile of a
# block class's `enter` method to target/bench/asm-<pid>.log and lists them (compile id, OSR or
# not, bytecode size); a class is matched to its guest code through -Dqemu.tcg.block-dump (its
# bytecode size) or a LogCompilation of the same run. The run is slower than usual.
#   bench/asm-x86_64.sh program [args...]
# EMULATOR (default qemu-x86_64: any bin/ launcher of an x86 emulator); PATTERN (default every
# block class: org.qemu.i386.translate.TranslatedBlock*::enter).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 program [args...]" >&2; exit 2; }
plugin=$work/hsdis/hsdis-amd64.so
if [ ! -f "$plugin" ] || [ "$here/src/hsdis-capstone.c" -nt "$plugin" ]; then
  [ -f /usr/include/capstone/capstone.h ] || { echo "asm-x86_64: needs libcapstone-dev (apt-get install libcapstone-dev)" >&2; exit 1; }
  mkdir -p "$work/hsdis"
  gcc -O2 -shared -fPIC "$here/src/hsdis-capstone.c" -o "$plugin" -lcapstone
fi
log=$work/asm-$$.log
LD_LIBRARY_PATH=$work/hsdis${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
QEMU_JAVA_OPTS="${QEMU_JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,${PATTERN:-org.qemu.i386.translate.TranslatedBlock*::enter} -XX:+LogVMOutput -XX:LogFile=$log -XX:-DisplayVMOutput" \
  "$root/bin/${EMULATOR:-qemu-x86_64}" "$@" >/dev/null
grep 'Compiled method (c2)' "$log" || echo "asm-x86_64: no C2 compile of a block class in this run"
echo "machine code: $log"
