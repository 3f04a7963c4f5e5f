package org.qemu.kvm.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The binding against the real kernel: errno capture everywhere, the KVM ioctls where /dev/kvm works. */
class KvmDeviceTest {
    @Test
    void errnoOfAFailedOpenIsCapturedWithTheCLibrarysText() {
        assertThatThrownBy(() -> Libc.open("/nonexistent/qemu-kvm-test", Libc.O_RDWR))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Libc.ENOENT);
                    assertThat(e.reason()).isEqualTo("No such file or directory");
                });
    }

    @Test
    void ioctlOnANonKvmFileFailsWithENOTTY() throws Exception {
        int fd = Libc.open("/dev/null", Libc.O_RDWR);
        try {
            assertThatThrownBy(() -> Libc.ioctl(fd, KvmIoctls.GET_API_VERSION, 0, "KVM_GET_API_VERSION"))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(25));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void anonymousMappingsAreUsableMemory() throws Exception {
        MemorySegment m = Libc.mmap(1 << 20, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0, "test");
        m.set(ValueLayout.JAVA_LONG, (1 << 20) - 8, 0x1122334455667788L);
        assertThat(m.get(ValueLayout.JAVA_LONG, (1 << 20) - 8)).isEqualTo(0x1122334455667788L);
        Libc.munmap(m);
    }

    @Test
    void withoutKvmOpenReportsTheMissingDevice() {
        assumeTrue(!Files.exists(Path.of(Kvm.DEVICE)), "/dev/kvm exists here");
        assertThatThrownBy(Kvm::open).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.reason()).isEqualTo("No such file or directory"));
    }

    @Test
    void kvmAnswersTheSystemIoctls() throws Exception {
        Path dev = Path.of(Kvm.DEVICE);
        assumeTrue(Files.isReadable(dev) && Files.isWritable(dev), "/dev/kvm is not available on this machine");
        try (Kvm kvm = Kvm.open(); Arena arena = Arena.ofConfined()) {
            assertThat(kvm.vcpuMmapSize()).isGreaterThanOrEqualTo(4096);
            MemorySegment cpuid = kvm.supportedCpuid(arena);
            int count = cpuid.get(ValueLayout.JAVA_INT, 0);
            assertThat(count).isPositive();
            assertThat(cpuid.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID2.byteSize())).as("first leaf").isZero();
            try (KvmVm vm = kvm.createVm()) {
                vm.setTssAddress(KvmVm.TSS_ADDRESS);
                vm.createIrqchip();
                vm.createPit2();
                try (KvmVcpu vcpu = vm.createVcpu(0)) {
                    MemorySegment regs = vcpu.getRegs(arena);
                    assertThat(regs.get(ValueLayout.JAVA_LONG, KvmLayouts.offset(KvmLayouts.REGS, "rip"))).as("reset RIP").isEqualTo(0xfff0);
                }
            }
        }
    }
}
