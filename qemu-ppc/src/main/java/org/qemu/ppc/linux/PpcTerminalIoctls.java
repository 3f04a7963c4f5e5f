package org.qemu.ppc.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * The terminal ioctls of ppc32, which differ from x86's in number (PowerPC encodes most of them
 * as {@code _IOR/_IOW('t', n, ...)} with its own direction bits) and in {@code struct termios}:
 * c_cc before c_line, another c_cc order, other flag bits, a one-byte baud field and the
 * speeds at the end. Numbers and layouts from the kernel's arch/powerpc uapi asm/ioctls.h and
 * asm/termbits.h; the host side uses x86's {@code struct termios2} (TCGETS2), which carries
 * the speeds too.
 */
final class PpcTerminalIoctls {
    static final int TCGETS = 0x402c7413;
    static final int TCSETS = 0x802c7414;
    static final int TCSETSW = 0x802c7415;
    static final int TCSETSF = 0x802c7416;
    static final int TIOCSWINSZ = 0x80087467;
    static final int TIOCGWINSZ = 0x40087468;
    static final int TIOCOUTQ = 0x40047473;
    static final int TIOCSPGRP = 0x80047476;
    static final int TIOCGPGRP = 0x40047477;
    static final int FIONREAD = 0x4004667f;
    static final int FIONBIO = 0x8004667e;
    static final int FIOCLEX = 0x20006601;
    static final int FIONCLEX = 0x20006602;
    static final int TCSBRK = 0x2000741d;
    static final int TCXONC = 0x2000741e;
    static final int TCFLSH = 0x2000741f;
    static final int TIOCGPTN = 0x40045430;
    static final int TIOCSPTLCK = 0x80045431;

    private static final int HOST_TCGETS2 = 0x802c542a;
    private static final int HOST_TCSETS2 = 0x402c542b;
    private static final int HOST_TIOCGWINSZ = 0x5413;
    private static final int HOST_TIOCSWINSZ = 0x5414;
    private static final int HOST_TIOCOUTQ = 0x5411;
    private static final int HOST_TIOCSPGRP = 0x5410;
    private static final int HOST_TIOCGPGRP = 0x540f;
    private static final int HOST_FIONREAD = 0x541b;
    private static final int HOST_FIONBIO = 0x5421;
    private static final int HOST_FIOCLEX = 0x5451;
    private static final int HOST_FIONCLEX = 0x5450;
    private static final int HOST_TCSBRK = 0x5409;
    private static final int HOST_TCXONC = 0x540a;
    private static final int HOST_TCFLSH = 0x540b;
    private static final int HOST_TIOCGPTN = 0x80045430;
    private static final int HOST_TIOCSPTLCK = 0x40045431;

    /** ppc struct termios: 4 flag words, c_cc[19] at 16, c_line at 35, c_ispeed at 36, c_ospeed at 40. */
    static final int GUEST_TERMIOS_SIZE = 44;
    /** x86 struct termios2: 4 flag words, c_line at 16, c_cc[19] at 17, c_ispeed at 36, c_ospeed at 40. */
    private static final int HOST_TERMIOS2_SIZE = 44;
    private static final int NCCS = 19;

    /** HOST_CC_INDEX[ppc index] = x86 index, for VINTR VQUIT VERASE VKILL VEOF VMIN VEOL VTIME VEOL2 VSWTC VWERASE VREPRINT VSUSP VSTART VSTOP VLNEXT VDISCARD. */
    static final int[] HOST_CC_INDEX = {0, 1, 2, 3, 4, 6, 11, 5, 16, 7, 14, 12, 10, 8, 9, 15, 13};

    /** A flag field: {ppc mask, host mask}; a value moves between them by its position in the mask. */
    private static final int[][] INPUT_FLAGS = {
        {0x1ff, 0x1ff},                    // IGNBRK .. ICRNL: common to both
        {0x200, 0x400}, {0x400, 0x1000},   // IXON, IXOFF
        {0x800, 0x800},                    // IXANY
        {0x1000, 0x200},                   // IUCLC
        {0x2000, 0x2000}, {0x4000, 0x4000}, // IMAXBEL, IUTF8
    };
    private static final int[][] OUTPUT_FLAGS = {
        {0x1, 0x1},                        // OPOST
        {0x2, 0x4}, {0x4, 0x2},            // ONLCR, OLCUC
        {0xf8, 0xf8},                      // OCRNL, ONOCR, ONLRET, OFILL, OFDEL
        {0x100, 0x100},                    // NLDLY (x86 has NL0/NL1 only; ppc's NL2/NL3 have no twin)
        {0xc00, 0x1800},                   // TABDLY
        {0x3000, 0x600},                   // CRDLY
        {0x4000, 0x8000},                  // FFDLY
        {0x8000, 0x2000},                  // BSDLY
        {0x10000, 0x4000},                 // VTDLY
    };
    private static final int[][] CONTROL_FLAGS = {
        {0x300, 0x30},                     // CSIZE
        {0x400, 0x40}, {0x800, 0x80},      // CSTOPB, CREAD
        {0x1000, 0x100}, {0x2000, 0x200},  // PARENB, PARODD
        {0x4000, 0x400}, {0x8000, 0x800},  // HUPCL, CLOCAL
        {0xe0000000, 0xe0000000},          // ADDRB, CMSPAR, CRTSCTS
    };
    private static final int[][] LOCAL_FLAGS = {
        {0x80, 0x1}, {0x100, 0x2}, {0x4000, 0x4},        // ISIG, ICANON, XCASE
        {0x8, 0x8}, {0x2, 0x10}, {0x4, 0x20},            // ECHO, ECHOE, ECHOK
        {0x10, 0x40}, {0x80000000, 0x80},                // ECHONL, NOFLSH
        {0x400000, 0x100}, {0x40, 0x200}, {0x20, 0x400}, // TOSTOP, ECHOCTL, ECHOPRT
        {0x1, 0x800}, {0x800000, 0x1000},                // ECHOKE, FLUSHO
        {0x20000000, 0x4000}, {0x400, 0x8000},           // PENDIN, IEXTEN
        {0x10000000, 0x10000},                           // EXTPROC
    };
    private static final int GUEST_CBAUD = 0xff;
    private static final int GUEST_CIBAUD_SHIFT = 16;
    private static final int HOST_CBAUD = 0x100f;
    private static final int HOST_CBAUDEX = 0x1000;
    private static final int HOST_CIBAUD_SHIFT = 16;

    private PpcTerminalIoctls() {
    }

    /** The ioctl, or {@code null} if the request is not a terminal request this class converts. */
    static Long ioctl(GuestData data, int fd, int request, long arg) {
        return switch (request) {
            case TCGETS -> getTermios(data, fd, arg);
            case TCSETS, TCSETSW, TCSETSF -> setTermios(data, fd, arg, request - TCSETS);
            case TIOCGWINSZ -> copyOut(data, fd, HOST_TIOCGWINSZ, arg, 8, 2);
            case TIOCSWINSZ -> copyIn(data, fd, HOST_TIOCSWINSZ, arg, 8, 2);
            case TIOCOUTQ -> copyOut(data, fd, HOST_TIOCOUTQ, arg, 4, 4);
            case TIOCGPGRP -> copyOut(data, fd, HOST_TIOCGPGRP, arg, 4, 4);
            case FIONREAD -> copyOut(data, fd, HOST_FIONREAD, arg, 4, 4);
            case TIOCGPTN -> copyOut(data, fd, HOST_TIOCGPTN, arg, 4, 4);
            case TIOCSPGRP -> copyIn(data, fd, HOST_TIOCSPGRP, arg, 4, 4);
            case FIONBIO -> copyIn(data, fd, HOST_FIONBIO, arg, 4, 4);
            case TIOCSPTLCK -> copyIn(data, fd, HOST_TIOCSPTLCK, arg, 4, 4);
            case FIOCLEX -> HostSyscall.call(HostNr.IOCTL, fd, HOST_FIOCLEX, 0);
            case FIONCLEX -> HostSyscall.call(HostNr.IOCTL, fd, HOST_FIONCLEX, 0);
            case TCSBRK -> HostSyscall.call(HostNr.IOCTL, fd, HOST_TCSBRK, arg);
            case TCXONC -> HostSyscall.call(HostNr.IOCTL, fd, HOST_TCXONC, arg);
            case TCFLSH -> HostSyscall.call(HostNr.IOCTL, fd, HOST_TCFLSH, arg);
            // x86's numbers mean nothing (or something else) to a ppc guest.
            case 0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x5414, 0x540f, 0x5410, 0x541b, 0x5421, 0x5411,
                    0x5450, 0x5451, 0x5409, 0x540a, 0x540b -> (long) -Errno.ENOTTY;
            default -> null;
        };
    }

    private static long getTermios(GuestData data, int fd, long arg) {
        MemorySegment host = Scratch.begin().allocate(HOST_TERMIOS2_SIZE);
        long r = HostSyscall.call(HostNr.IOCTL, fd, HOST_TCGETS2, host.address());
        if (r < 0) {
            return r;
        }
        int cflag = host.get(ValueLayout.JAVA_INT_UNALIGNED, 8);
        int guestCflag = convert(cflag, CONTROL_FLAGS, false)
                | baudToGuest(cflag & HOST_CBAUD)
                | baudToGuest((cflag >>> HOST_CIBAUD_SHIFT) & HOST_CBAUD) << GUEST_CIBAUD_SHIFT;
        data.put32(arg, convert(host.get(ValueLayout.JAVA_INT_UNALIGNED, 0), INPUT_FLAGS, false));
        data.put32(arg + 4, convert(host.get(ValueLayout.JAVA_INT_UNALIGNED, 4), OUTPUT_FLAGS, false));
        data.put32(arg + 8, guestCflag);
        data.put32(arg + 12, convert(host.get(ValueLayout.JAVA_INT_UNALIGNED, 12), LOCAL_FLAGS, false));
        for (int i = 0; i < NCCS; i++) {
            data.put8(arg + 16 + i, 0);
        }
        for (int i = 0; i < HOST_CC_INDEX.length; i++) {
            data.put8(arg + 16 + i, host.get(ValueLayout.JAVA_BYTE, 17 + HOST_CC_INDEX[i]));
        }
        data.put8(arg + 35, host.get(ValueLayout.JAVA_BYTE, 16));
        data.put32(arg + 36, host.get(ValueLayout.JAVA_INT_UNALIGNED, 36));
        data.put32(arg + 40, host.get(ValueLayout.JAVA_INT_UNALIGNED, 40));
        return r;
    }

    /** TCSETS/TCSETSW/TCSETSF are consecutive on both sides, so {@code variant} 0-2 picks the host's TCSETS2 sibling. */
    private static long setTermios(GuestData data, int fd, long arg, int variant) {
        MemorySegment host = Scratch.begin().allocate(HOST_TERMIOS2_SIZE);
        host.fill((byte) 0);
        int cflag = data.s32(arg + 8);
        int hostCflag = convert(cflag, CONTROL_FLAGS, true)
                | baudToHost(cflag & GUEST_CBAUD)
                | baudToHost((cflag >>> GUEST_CIBAUD_SHIFT) & GUEST_CBAUD) << HOST_CIBAUD_SHIFT;
        host.set(ValueLayout.JAVA_INT_UNALIGNED, 0, convert(data.s32(arg), INPUT_FLAGS, true));
        host.set(ValueLayout.JAVA_INT_UNALIGNED, 4, convert(data.s32(arg + 4), OUTPUT_FLAGS, true));
        host.set(ValueLayout.JAVA_INT_UNALIGNED, 8, hostCflag);
        host.set(ValueLayout.JAVA_INT_UNALIGNED, 12, convert(data.s32(arg + 12), LOCAL_FLAGS, true));
        host.set(ValueLayout.JAVA_BYTE, 16, (byte) data.memory().read8(arg + 35));
        for (int i = 0; i < HOST_CC_INDEX.length; i++) {
            host.set(ValueLayout.JAVA_BYTE, 17 + HOST_CC_INDEX[i], (byte) data.memory().read8(arg + 16 + i));
        }
        host.set(ValueLayout.JAVA_INT_UNALIGNED, 36, data.s32(arg + 36));
        host.set(ValueLayout.JAVA_INT_UNALIGNED, 40, data.s32(arg + 40));
        return HostSyscall.call(HostNr.IOCTL, fd, HOST_TCSETS2 + variant, host.address());
    }

    /** Moves each field's value from one side's mask to the other's (toHost: ppc to x86). */
    static int convert(int flags, int[][] fields, boolean toHost) {
        int out = 0;
        for (int[] f : fields) {
            int from = toHost ? f[0] : f[1];
            int to = toHost ? f[1] : f[0];
            int value = (flags & from) >>> Integer.numberOfTrailingZeros(from);
            out |= (value << Integer.numberOfTrailingZeros(to)) & to;
        }
        return out;
    }

    /** B0..B38400 are 0..15 on both; ppc continues B57600.. at 0x10..0x1e and BOTHER at 0x1f, x86 at CBAUDEX|1..15 and CBAUDEX. */
    static int baudToHost(int code) {
        if (code < 0x10) {
            return code;
        }
        return code >= 0x1f ? HOST_CBAUDEX : HOST_CBAUDEX | (code - 0x10 + 1);
    }

    static int baudToGuest(int code) {
        if ((code & HOST_CBAUDEX) == 0) {
            return code;
        }
        int low = code & 0xf;
        return low == 0 ? 0x1f : 0x10 + low - 1;
    }

    static int convertForTest(int flags, String field, boolean toHost) {
        int[][] fields = switch (field) {
            case "input" -> INPUT_FLAGS;
            case "output" -> OUTPUT_FLAGS;
            case "control" -> CONTROL_FLAGS;
            default -> LOCAL_FLAGS;
        };
        return convert(flags, fields, toHost);
    }

    /** Host fills {@code size} bytes; the guest gets them as {@code unit}-byte integers in its byte order. */
    private static long copyOut(GuestData data, int fd, int hostRequest, long arg, int size, int unit) {
        MemorySegment host = Scratch.begin().allocate(size);
        long r = HostSyscall.call(HostNr.IOCTL, fd, hostRequest, host.address());
        if (r >= 0) {
            for (int i = 0; i < size; i += unit) {
                if (unit == 2) {
                    data.put16(arg + i, host.get(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                } else {
                    data.put32(arg + i, host.get(ValueLayout.JAVA_INT_UNALIGNED, i));
                }
            }
        }
        return r;
    }

    private static long copyIn(GuestData data, int fd, int hostRequest, long arg, int size, int unit) {
        MemorySegment host = Scratch.begin().allocate(size);
        for (int i = 0; i < size; i += unit) {
            if (unit == 2) {
                host.set(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) data.u16(arg + i));
            } else {
                host.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) data.u32(arg + i));
            }
        }
        return HostSyscall.call(HostNr.IOCTL, fd, hostRequest, host.address());
    }
}
