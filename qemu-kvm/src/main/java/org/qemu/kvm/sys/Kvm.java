package org.qemu.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An open {@code /dev/kvm}: the system-level ioctls. */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";
    private static final int INITIAL_CPUID_ENTRIES = 128;

    private final int fd;

    private Kvm(int fd) {
        this.fd = fd;
    }

    /** Opens {@code /dev/kvm} and checks the API version and the capabilities the monitor relies on. */
    public static Kvm open() throws ErrnoException, KvmException {
        int fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        Kvm kvm = new Kvm(fd);
        try {
            int version = Libc.ioctl(fd, KvmIoctls.GET_API_VERSION, 0, "KVM_GET_API_VERSION");
            if (version != KvmIoctls.API_VERSION) {
                throw new KvmException("kvm version not supported (got " + version + ", need " + KvmIoctls.API_VERSION + ")");
            }
            for (int cap : new int[] {KvmIoctls.CAP_IRQCHIP, KvmIoctls.CAP_USER_MEMORY, KvmIoctls.CAP_SET_TSS_ADDR,
                KvmIoctls.CAP_EXT_CPUID, KvmIoctls.CAP_PIT2}) {
                if (kvm.checkExtension(cap) <= 0) {
                    throw new KvmException("kvm does not support capability " + cap);
                }
            }
            return kvm;
        } catch (ErrnoException | KvmException e) {
            kvm.close();
            throw e;
        }
    }

    public int checkExtension(int capability) throws ErrnoException {
        return Libc.ioctl(fd, KvmIoctls.CHECK_EXTENSION, capability, "KVM_CHECK_EXTENSION");
    }

    public int vcpuMmapSize() throws ErrnoException {
        return Libc.ioctl(fd, KvmIoctls.GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    }

    /** {@code KVM_GET_SUPPORTED_CPUID}, as a {@code struct kvm_cpuid2} ready to pass to SET_CPUID2. */
    public MemorySegment supportedCpuid(Arena arena) throws ErrnoException {
        for (int entries = INITIAL_CPUID_ENTRIES; ; entries *= 2) {
            MemorySegment cpuid = arena.allocate(KvmLayouts.CPUID2.byteSize() + entries * KvmLayouts.CPUID_ENTRY2.byteSize(), 8);
            cpuid.set(ValueLayout.JAVA_INT, 0, entries);
            try {
                Libc.ioctl(fd, KvmIoctls.GET_SUPPORTED_CPUID, cpuid, "KVM_GET_SUPPORTED_CPUID");
                return cpuid;
            } catch (ErrnoException e) {
                // E2BIG: the kernel has more leaves than we made room for; ask again with twice the room.
                if (e.errno() != Libc.E2BIG || entries >= 4096) {
                    throw e;
                }
            }
        }
    }

    public KvmVm createVm() throws ErrnoException {
        int vmFd = Libc.ioctl(fd, KvmIoctls.CREATE_VM, 0, "KVM_CREATE_VM");
        return new KvmVm(this, vmFd);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
