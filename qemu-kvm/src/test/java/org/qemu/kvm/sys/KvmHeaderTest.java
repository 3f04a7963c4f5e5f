package org.qemu.kvm.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ioctl number, size and offset of the binding, compared with what gcc computes from the
 * installed {@code linux/kvm.h} (Debian's linux-libc-dev): the header is the oracle.
 */
class KvmHeaderTest {
    private final Map<String, Long> javaValues = new LinkedHashMap<>();

    private void expect(String cExpression, long javaValue) {
        javaValues.put(cExpression, javaValue);
    }

    private void expectStruct(String cStruct, MemoryLayout layout, String... fields) {
        expect("sizeof(struct " + cStruct + ")", layout.byteSize());
        for (String field : fields) {
            expect("offsetof(struct " + cStruct + ", " + field + ")", offset(layout, field.split("\\.")));
        }
    }

    @Test
    void numbersSizesAndOffsetsMatchLinuxKvmHeader(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")), "linux/kvm.h is not installed (apt linux-libc-dev)");
        expect("KVM_API_VERSION", KvmIoctls.API_VERSION);
        expect("KVM_GET_API_VERSION", KvmIoctls.GET_API_VERSION);
        expect("KVM_CREATE_VM", KvmIoctls.CREATE_VM);
        expect("KVM_CHECK_EXTENSION", KvmIoctls.CHECK_EXTENSION);
        expect("KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.GET_VCPU_MMAP_SIZE);
        expect("KVM_GET_SUPPORTED_CPUID", KvmIoctls.GET_SUPPORTED_CPUID);
        expect("KVM_CREATE_VCPU", KvmIoctls.CREATE_VCPU);
        expect("KVM_SET_USER_MEMORY_REGION", KvmIoctls.SET_USER_MEMORY_REGION);
        expect("KVM_SET_TSS_ADDR", KvmIoctls.SET_TSS_ADDR);
        expect("KVM_SET_IDENTITY_MAP_ADDR", KvmIoctls.SET_IDENTITY_MAP_ADDR);
        expect("KVM_CREATE_IRQCHIP", KvmIoctls.CREATE_IRQCHIP);
        expect("KVM_IRQ_LINE", KvmIoctls.IRQ_LINE);
        expect("KVM_CREATE_PIT2", KvmIoctls.CREATE_PIT2);
        expect("KVM_RUN", KvmIoctls.RUN);
        expect("KVM_GET_REGS", KvmIoctls.GET_REGS);
        expect("KVM_SET_REGS", KvmIoctls.SET_REGS);
        expect("KVM_GET_SREGS", KvmIoctls.GET_SREGS);
        expect("KVM_SET_SREGS", KvmIoctls.SET_SREGS);
        expect("KVM_GET_MSRS", KvmIoctls.GET_MSRS);
        expect("KVM_SET_MSRS", KvmIoctls.SET_MSRS);
        expect("KVM_GET_FPU", KvmIoctls.GET_FPU);
        expect("KVM_SET_FPU", KvmIoctls.SET_FPU);
        expect("KVM_GET_LAPIC", KvmIoctls.GET_LAPIC);
        expect("KVM_SET_LAPIC", KvmIoctls.SET_LAPIC);
        expect("KVM_SET_CPUID2", KvmIoctls.SET_CPUID2);
        expect("KVM_SET_SIGNAL_MASK", KvmIoctls.SET_SIGNAL_MASK);
        expect("KVM_GET_MP_STATE", KvmIoctls.GET_MP_STATE);
        expect("KVM_SET_GUEST_DEBUG", KvmIoctls.SET_GUEST_DEBUG);
        expect("KVM_GUESTDBG_ENABLE", KvmIoctls.GUESTDBG_ENABLE);
        expect("KVM_GUESTDBG_SINGLESTEP", KvmIoctls.GUESTDBG_SINGLESTEP);
        expect("KVM_EXIT_DEBUG", KvmExit.DEBUG);
        expect("KVM_CAP_IRQCHIP", KvmIoctls.CAP_IRQCHIP);
        expect("KVM_CAP_USER_MEMORY", KvmIoctls.CAP_USER_MEMORY);
        expect("KVM_CAP_SET_TSS_ADDR", KvmIoctls.CAP_SET_TSS_ADDR);
        expect("KVM_CAP_EXT_CPUID", KvmIoctls.CAP_EXT_CPUID);
        expect("KVM_CAP_PIT2", KvmIoctls.CAP_PIT2);
        expect("KVM_PIT_SPEAKER_DUMMY", KvmIoctls.PIT_SPEAKER_DUMMY);

        expect("KVM_EXIT_UNKNOWN", KvmExit.UNKNOWN);
        expect("KVM_EXIT_EXCEPTION", KvmExit.EXCEPTION);
        expect("KVM_EXIT_IO", KvmExit.IO);
        expect("KVM_EXIT_HLT", KvmExit.HLT);
        expect("KVM_EXIT_MMIO", KvmExit.MMIO);
        expect("KVM_EXIT_IRQ_WINDOW_OPEN", KvmExit.IRQ_WINDOW_OPEN);
        expect("KVM_EXIT_SHUTDOWN", KvmExit.SHUTDOWN);
        expect("KVM_EXIT_FAIL_ENTRY", KvmExit.FAIL_ENTRY);
        expect("KVM_EXIT_INTR", KvmExit.INTR);
        expect("KVM_EXIT_NMI", KvmExit.NMI);
        expect("KVM_EXIT_INTERNAL_ERROR", KvmExit.INTERNAL_ERROR);
        expect("KVM_EXIT_SYSTEM_EVENT", KvmExit.SYSTEM_EVENT);
        expect("KVM_EXIT_IO_IN", KvmExit.IO_IN);
        expect("KVM_EXIT_IO_OUT", KvmExit.IO_OUT);
        expect("KVM_SYSTEM_EVENT_SHUTDOWN", KvmExit.SYSTEM_EVENT_SHUTDOWN);
        expect("KVM_SYSTEM_EVENT_RESET", KvmExit.SYSTEM_EVENT_RESET);
        expect("KVM_SYSTEM_EVENT_CRASH", KvmExit.SYSTEM_EVENT_CRASH);
        expect("KVM_INTERNAL_ERROR_EMULATION", KvmExit.INTERNAL_ERROR_EMULATION);

        expectStruct("kvm_userspace_memory_region", KvmLayouts.USERSPACE_MEMORY_REGION,
                "slot", "flags", "guest_phys_addr", "memory_size", "userspace_addr");
        expectStruct("kvm_regs", KvmLayouts.REGS, KvmLayouts.REGISTER_NAMES);
        expectStruct("kvm_segment", KvmLayouts.SEGMENT, "base", "limit", "selector", "type", "present", "dpl",
                "db", "s", "l", "g", "avl", "unusable", "padding");
        expectStruct("kvm_dtable", KvmLayouts.DTABLE, "base", "limit", "padding");
        expectStruct("kvm_sregs", KvmLayouts.SREGS, "cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt", "gdt", "idt",
                "cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base", "interrupt_bitmap");
        expectStruct("kvm_fpu", KvmLayouts.FPU, "fpr", "fcw", "fsw", "ftwx", "last_opcode", "last_ip", "last_dp",
                "xmm", "mxcsr");
        expectStruct("kvm_msr_entry", KvmLayouts.MSR_ENTRY, "index", "reserved", "data");
        expectStruct("kvm_msrs", KvmLayouts.MSRS, "nmsrs", "pad");
        expect("offsetof(struct kvm_msrs, entries)", KvmLayouts.MSRS.byteSize());
        expectStruct("kvm_cpuid_entry2", KvmLayouts.CPUID_ENTRY2, "function", "index", "flags", "eax", "ebx",
                "ecx", "edx", "padding");
        expectStruct("kvm_cpuid2", KvmLayouts.CPUID2, "nent", "padding");
        expect("offsetof(struct kvm_cpuid2, entries)", KvmLayouts.CPUID2.byteSize());
        expectStruct("kvm_lapic_state", KvmLayouts.LAPIC_STATE, "regs");
        expectStruct("kvm_pit_config", KvmLayouts.PIT_CONFIG, "flags", "pad");
        expectStruct("kvm_irq_level", KvmLayouts.IRQ_LEVEL, "level");
        expect("offsetof(struct kvm_irq_level, irq)", offset(KvmLayouts.IRQ_LEVEL, "u", "irq"));
        expectStruct("kvm_mp_state", KvmLayouts.MP_STATE, "mp_state");
        expectStruct("kvm_guest_debug", KvmLayouts.GUEST_DEBUG, "control", "pad", "arch", "arch.debugreg");
        // Only the head of kvm_run is laid out here (the kernel's struct is larger), so no sizeof check.
        for (String f : new String[] {"request_interrupt_window", "immediate_exit", "exit_reason",
            "ready_for_interrupt_injection", "if_flag", "flags", "cr8", "apic_base"}) {
            expect("offsetof(struct kvm_run, " + f + ")", offset(KvmLayouts.RUN_HEAD, f));
        }
        String[][] runFields = {
            {"io", "direction"}, {"io", "size"}, {"io", "port"}, {"io", "count"}, {"io", "data_offset"},
            {"mmio", "phys_addr"}, {"mmio", "data"}, {"mmio", "len"}, {"mmio", "is_write"},
            {"fail_entry", "hardware_entry_failure_reason"}, {"fail_entry", "cpu"},
            {"internal", "suberror"}, {"internal", "ndata"}, {"internal", "data"},
            {"system_event", "type"}, {"system_event", "ndata"}, {"system_event", "data"},
            {"hw", "hardware_exit_reason"}};
        for (String[] f : runFields) {
            expect("offsetof(struct kvm_run, " + f[0] + "." + f[1] + ")", offset(KvmLayouts.RUN_HEAD, "exit", f[0], f[1]));
        }

        Map<String, Long> header = evaluateInC(dir, new ArrayList<>(javaValues.keySet()));
        assertThat(javaValues).containsExactlyEntriesOf(header);
    }

    private static Map<String, Long> evaluateInC(Path dir, List<String> expressions) throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\nint main(void) {\n");
        for (String e : expressions) {
            c.append("  printf(\"%llu\\n\", (unsigned long long)(").append(e).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path source = dir.resolve("kvm_facts.c");
        Path binary = dir.resolve("kvm_facts");
        Files.writeString(source, c);
        run(dir, "gcc", "-o", binary.toString(), source.toString());
        List<String> lines = run(dir, binary.toString()).lines().toList();
        assertThat(lines).hasSize(expressions.size());
        Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 0; i < expressions.size(); i++) {
            values.put(expressions.get(i), Long.parseUnsignedLong(lines.get(i)));
        }
        return values;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", String.join(" ", command), out).isZero();
        return out;
    }
}
