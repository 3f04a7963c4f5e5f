package org.qemu.common.board;

/**
 * One virtual CPU as a management interface lists it: its index, its QOM path (QEMU's object
 * tree name, e.g. {@code /machine/unattached/device[0]}), the host thread that runs it (the
 * kernel's thread id, so tools like {@code taskset} can find it) and the target name.
 */
public record CpuInfo(int index, String qomPath, long threadId, String target) {
}
