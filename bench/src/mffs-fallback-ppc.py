#!/usr/bin/env python3
"""Rewrites the ISA 3.0 forms of mffs (mffsce, mffscdrn[i], mffscrn[i], mffsl) in a PowerPC
binary into plain mffs of the same target register.

Why: glibc's static libm (sin, cos, fesetround helpers) uses mffscrn/mffscrni unconditionally,
because a pre-ISA-3.0 core decodes them as mffs, and then checks AT_HWCAP2 for ARCH_3_00 and
finishes the job with mtfsf when it is absent. Debian's QEMU 7.2 emulates a pre-3.0 32-bit core
but raises SIGILL on these encodings instead of treating them as mffs. The rewrite is what a
750/74xx does with these words anyway, so the program computes the same thing; it only lets
Debian's qemu-ppc run the very same binary as ours. Usage: mffs-fallback-ppc.py FILE (in place).
"""
import struct
import sys

MFFS_XO = 583

path = sys.argv[1]
data = bytearray(open(path, "rb").read())
patched = 0
for offset in range(0, len(data) - 3, 4):
    word = struct.unpack_from(">I", data, offset)[0]
    if word >> 26 == 63 and (word >> 1) & 0x3FF == MFFS_XO and (word >> 11) & 0x3FF != 0:
        struct.pack_into(">I", data, offset, word & 0xFFE0FFFF & ~(0x1F << 11))
        patched += 1
open(path, "wb").write(data)
print(f"{path}: {patched} mffs variant(s) rewritten as mffs", file=sys.stderr)
