package org.qemu.kvm.sys;

/**
 * Ioctl request numbers of {@code /dev/kvm}, built the way {@code asm-generic/ioctl.h} builds them
 * (direction, size, type 0xAE, number), with sizes taken from {@link KvmLayouts}.
 */
public final class KvmIoctls {
    private KvmIoctls() {
    }

    private static final int KVMIO = 0xAE;
    private static final long NONE = 0;
    private static final long WRITE = 1;
    private static final long READ = 2;

    private static long ioc(long direction, long nr, long size) {
        return (direction << 30) | (size << 16) | ((long) KVMIO << 8) | nr;
    }

    private static long io(long nr) {
        return ioc(NONE, nr, 0);
    }

    private static long ior(long nr, long size) {
        return ioc(READ, nr, size);
    }

    private static long iow(long nr, long size) {
        return ioc(WRITE, nr, size);
    }

    private static long iowr(long nr, long size) {
        return ioc(READ | WRITE, nr, size);
    }

    // System ioctls (on /dev/kvm).
    public static final long GET_API_VERSION = io(0x00);
    public static final long CREATE_VM = io(0x01);
    public static final long CHECK_EXTENSION = io(0x03);
    public static final long GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long GET_SUPPORTED_CPUID = iowr(0x05, KvmLayouts.CPUID2.byteSize());

    // VM ioctls.
    public static final long CREATE_VCPU = io(0x41);
    public static final long SET_USER_MEMORY_REGION = iow(0x46, KvmLayouts.USERSPACE_MEMORY_REGION.byteSize());
    public static final long SET_TSS_ADDR = io(0x47);
    public static final long SET_IDENTITY_MAP_ADDR = iow(0x48, Long.BYTES);
    public static final long CREATE_IRQCHIP = io(0x60);
    public static final long IRQ_LINE = iow(0x61, KvmLayouts.IRQ_LEVEL.byteSize());
    public static final long CREATE_PIT2 = iow(0x77, KvmLayouts.PIT_CONFIG.byteSize());

    // vCPU ioctls.
    public static final long RUN = io(0x80);
    public static final long GET_REGS = ior(0x81, KvmLayouts.REGS.byteSize());
    public static final long SET_REGS = iow(0x82, KvmLayouts.REGS.byteSize());
    public static final long GET_SREGS = ior(0x83, KvmLayouts.SREGS.byteSize());
    public static final long SET_SREGS = iow(0x84, KvmLayouts.SREGS.byteSize());
    public static final long GET_MSRS = iowr(0x88, KvmLayouts.MSRS.byteSize());
    public static final long SET_MSRS = iow(0x89, KvmLayouts.MSRS.byteSize());
    public static final long GET_FPU = ior(0x8c, KvmLayouts.FPU.byteSize());
    public static final long SET_FPU = iow(0x8d, KvmLayouts.FPU.byteSize());
    public static final long GET_LAPIC = ior(0x8e, KvmLayouts.LAPIC_STATE.byteSize());
    public static final long SET_LAPIC = iow(0x8f, KvmLayouts.LAPIC_STATE.byteSize());
    /** struct kvm_signal_mask is a 4-byte length followed by the (kernel, 8-byte) sigset. */
    public static final long SET_SIGNAL_MASK = iow(0x8b, Integer.BYTES);
    public static final long SET_CPUID2 = iow(0x90, KvmLayouts.CPUID2.byteSize());
    public static final long GET_MP_STATE = ior(0x98, KvmLayouts.MP_STATE.byteSize());
    public static final long SET_GUEST_DEBUG = iow(0x9b, KvmLayouts.GUEST_DEBUG.byteSize());

    // kvm_guest_debug.control bits.
    public static final int GUESTDBG_ENABLE = 0x1;
    public static final int GUESTDBG_SINGLESTEP = 0x2;

    /** {@code KVM_API_VERSION}: the only version the kernel has ever reported. */
    public static final int API_VERSION = 12;

    // Capabilities checked with CHECK_EXTENSION.
    public static final int CAP_IRQCHIP = 0;
    public static final int CAP_USER_MEMORY = 3;
    public static final int CAP_SET_TSS_ADDR = 4;
    public static final int CAP_EXT_CPUID = 7;
    public static final int CAP_PIT2 = 33;
    /** {@code kvm_pit_config.flags}: the kernel serves port 0x61 (the speaker port) itself. */
    public static final int PIT_SPEAKER_DUMMY = 1;
}
