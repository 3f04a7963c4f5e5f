package org.qemu.common.board;

/**
 * The CPU state a boot loader asks for on the boot processor: the mode and the registers
 * that carry the handshake (multiboot: EAX/EBX; Linux 64-bit: RSI).
 */
public record BootState(Mode mode, long entry, long eax, long ebx, long rsi, long stack) {
    public enum Mode {
        /** Flat 32-bit protected mode, paging off (multiboot). */
        PROTECTED_32,
        /** Flat 32-bit protected mode, paging off, ESI = boot_params (Linux 32-bit boot protocol). */
        LINUX_32,
        /** 64-bit long mode with the board's identity page tables (Linux 64-bit boot protocol). */
        LONG_64
    }
}
