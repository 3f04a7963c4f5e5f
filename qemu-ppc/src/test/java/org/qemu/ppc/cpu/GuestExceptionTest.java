package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;

/** Guest exceptions stop at the faulting instruction with the signal Linux would send. */
class GuestExceptionTest {

    private static SnippetRunner trapping(String asm) {
        SnippetRunner r = new SnippetRunner(asm);
        assertThat(r.run()).isEqualTo(CpuExit.TRAP);
        return r;
    }

    @Test
    void undefinedOpcodeIsSigillAtItsAddress() {
        try (SnippetRunner r = trapping("li r3,1\n .long 0\n li r3,2")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGILL);
            assertThat(r.cpu.lastTrap().code()).isEqualTo(GuestTrap.ILL_ILLOPC);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 4);
            assertThat(r.gpr(3)).isEqualTo(1);
        }
    }

    @Test
    void privilegedInstructionIsSigill() {
        try (SnippetRunner r = trapping("mfmsr r3")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGILL);
        }
    }

    @Test
    void storeToUnmappedMemoryIsSigsegvWithTheAddress() {
        try (SnippetRunner r = trapping("li r3,5\n lis r4,0x4000\n stw r3,8(r4)\n li r3,6")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
            assertThat(r.cpu.lastTrap().address()).isEqualTo(0x40000008L);
            assertThat(r.cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_MAPERR);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 8);
        }
    }

    @Test
    void updateFormLeavesBaseRegisterUntouchedWhenItFaults() {
        try (SnippetRunner r = trapping("lis r4,0x4000\n lwzu r3,16(r4)")) {
            assertThat(r.gpr(4)).isEqualTo(0x40000000);
        }
    }

    @Test
    void writeToCodePageIsAProtectionFault() {
        try (SnippetRunner r = trapping("bl 1f\n1: mflr r4\n stw r4,0(r4)")) {
            assertThat(r.cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_ACCERR);
        }
    }

    @Test
    void trapWordIsSigtrapOnlyWhenTheConditionHolds() {
        try (SnippetRunner r = trapping("li r3,1\n twgti r3,5\n li r4,7\n tweq r3,r3")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGTRAP);
            assertThat(r.gpr(4)).isEqualTo(7);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 12);
        }
    }

    @Test
    void misalignedReservationIsSigbus() {
        try (SnippetRunner r = trapping("lis r4,2\n addi r4,r4,2\n lwarx r3,0,r4")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGBUS);
        }
    }

    @Test
    void jumpIntoNonExecutableMemoryIsSigsegvAtTheTarget() {
        try (SnippetRunner r = trapping("lis r4,2\n mtctr r4\n bctr")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
            assertThat(r.state.pc).isEqualTo(0x20000);
        }
    }

    @Test
    void registersChangedBeforeAFaultingLoadInTheSameBlockAreKept() {
        // r5 and r6 are still only in JVM locals of a compiled block when the load faults.
        try (SnippetRunner r = trapping("li r5,11\n addi r6,r5,1\n lis r4,0x4000\n lwz r3,0(r4)\n li r5,0")) {
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 12);
            assertThat(r.gpr(5)).isEqualTo(11);
            assertThat(r.gpr(6)).isEqualTo(12);
            assertThat(r.gpr(4)).isEqualTo(0x40000000);
        }
    }
}
