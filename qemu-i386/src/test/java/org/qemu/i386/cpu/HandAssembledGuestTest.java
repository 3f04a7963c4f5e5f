package org.qemu.i386.cpu;

import org.junit.jupiter.api.AfterEach;
import org.qemu.common.memory.GuestMemory;

/** Base of the tests that run hand-assembled code: the guest a test starts, closed after each test. */
abstract class HandAssembledGuestTest {
    HandAssembledGuest guest;
    GuestMemory memory;
    X86Cpu cpu;

    void start(HandAssembledGuest started) {
        guest = started;
        memory = started.memory;
        cpu = started.cpu;
    }

    @AfterEach
    void closeGuest() {
        if (guest != null) {
            guest.close();
        }
    }
}
