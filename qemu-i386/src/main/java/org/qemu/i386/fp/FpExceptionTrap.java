package org.qemu.i386.fp;

import org.qemu.common.exec.GuestTrap;
import org.qemu.i386.cpu.X86Trap;

/**
 * Unmasked floating-point exceptions as Linux delivers them: SIGFPE with the si_code the kernel
 * derives from the unmasked flags (invalid first, then divide-by-zero, overflow,
 * underflow/denormal, precision). x87 errors are #MF (vector 16), SSE errors #XM (vector 19);
 * the CPU loop puts the faulting instruction's address into the siginfo.
 */
final class FpExceptionTrap {
    static final int FPE_FLTDIV = 3;
    static final int FPE_FLTOVF = 4;
    static final int FPE_FLTUND = 5;
    static final int FPE_FLTRES = 6;
    static final int FPE_FLTINV = 7;
    static final int X87_VECTOR = 16;
    static final int SIMD_VECTOR = 19;

    private FpExceptionTrap() {
    }

    static int signalCode(int unmaskedFlags) {
        if ((unmaskedFlags & FpFlags.INVALID) != 0) {
            return FPE_FLTINV;
        }
        if ((unmaskedFlags & FpFlags.DIVIDE_BY_ZERO) != 0) {
            return FPE_FLTDIV;
        }
        if ((unmaskedFlags & FpFlags.OVERFLOW) != 0) {
            return FPE_FLTOVF;
        }
        if ((unmaskedFlags & (FpFlags.UNDERFLOW | FpFlags.DENORMAL)) != 0) {
            return FPE_FLTUND;
        }
        return FPE_FLTRES;
    }

    static X86Trap of(int unmaskedFlags, int vector) {
        return new X86Trap(new GuestTrap(GuestTrap.SIGFPE, signalCode(unmaskedFlags), 0, vector, 0), false);
    }
}
