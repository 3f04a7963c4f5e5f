package org.qemu.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A virtual machine file descriptor: memory slots, the in-kernel irqchip and PIT, vCPUs. */
public final class KvmVm implements AutoCloseable {
    /** The three pages below the 4 GiB BIOS area that Intel VMX needs for its real-mode TSS. */
    public static final long TSS_ADDRESS = 0xfffbd000L;

    private final Kvm kvm;
    private final int fd;

    KvmVm(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    public Kvm kvm() {
        return kvm;
    }

    public void setTssAddress(long address) throws ErrnoException {
        Libc.ioctl(fd, KvmIoctls.SET_TSS_ADDR, address, "KVM_SET_TSS_ADDR");
    }

    /** The in-kernel PIC pair, IOAPIC and a local APIC per vCPU. */
    public void createIrqchip() throws ErrnoException {
        Libc.ioctl(fd, KvmIoctls.CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
    }

    /**
     * The in-kernel 8254 with port 0x61 (counter 2's gate, OUT2, speaker data) served in the kernel
     * too: without {@code KVM_PIT_SPEAKER_DUMMY} the kernel registers no device on port 0x61 and
     * every access exits to user space, where counter 2's state is out of reach.
     */
    public void createPit2() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(KvmLayouts.PIT_CONFIG);
            config.set(ValueLayout.JAVA_INT, KvmLayouts.offset(KvmLayouts.PIT_CONFIG, "flags"), KvmIoctls.PIT_SPEAKER_DUMMY);
            Libc.ioctl(fd, KvmIoctls.CREATE_PIT2, config, "KVM_CREATE_PIT2");
        }
    }

    public void setUserMemoryRegion(int slot, long guestPhysical, MemorySegment host) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(KvmLayouts.USERSPACE_MEMORY_REGION);
            region.set(ValueLayout.JAVA_INT, KvmLayouts.offset(KvmLayouts.USERSPACE_MEMORY_REGION, "slot"), slot);
            region.set(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.USERSPACE_MEMORY_REGION, "guest_phys_addr"), guestPhysical);
            region.set(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.USERSPACE_MEMORY_REGION, "memory_size"), host.byteSize());
            region.set(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.USERSPACE_MEMORY_REGION, "userspace_addr"), host.address());
            Libc.ioctl(fd, KvmIoctls.SET_USER_MEMORY_REGION, region, "KVM_SET_USER_MEMORY_REGION");
        }
    }

    /** Drives an input of the in-kernel PIC and IOAPIC (GSI numbering). */
    public void irqLine(int gsi, boolean level) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment irq = arena.allocate(KvmLayouts.IRQ_LEVEL);
            irq.set(ValueLayout.JAVA_INT, 0, gsi);
            irq.set(ValueLayout.JAVA_INT, 4, level ? 1 : 0);
            Libc.ioctl(fd, KvmIoctls.IRQ_LINE, irq, "KVM_IRQ_LINE");
        }
    }

    public KvmVcpu createVcpu(int id) throws ErrnoException {
        int vcpuFd = Libc.ioctl(fd, KvmIoctls.CREATE_VCPU, id, "KVM_CREATE_VCPU");
        MemorySegment run = Libc.mmap(kvm.vcpuMmapSize(), Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, vcpuFd, 0,
                "kvm_run of vCPU " + id);
        return new KvmVcpu(id, vcpuFd, run);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
