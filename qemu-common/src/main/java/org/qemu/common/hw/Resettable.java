package org.qemu.common.hw;

/**
 * A device that goes back to its power-on state when the board's reset line is pulled. What a
 * real reset leaves alone (RAM, the CMOS NVRAM, the disk image) stays as it is.
 */
@FunctionalInterface
public interface Resettable {
    void reset();
}
