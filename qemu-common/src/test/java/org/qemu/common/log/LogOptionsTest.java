package org.qemu.common.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class LogOptionsTest {
    @Test
    void supportedItemsAndTheFile() throws Exception {
        LogOptions o = LogOptions.parse("int,cpu,,exec", "/tmp/x.log", LogItem::supportedInSystemMode);
        assertThat(o.items()).containsExactlyInAnyOrder(LogItem.INT, LogItem.CPU, LogItem.EXEC);
        assertThat(o.file()).isEqualTo(Path.of("/tmp/x.log"));
        assertThat(LogOptions.parse(null, null, i -> true)).isEqualTo(new LogOptions(java.util.Set.of(), null));
    }

    @Test
    void qemuItemsNotBuiltAndUnknownItemsAreRefusedByName() {
        assertThatThrownBy(() -> LogOptions.parse("int,out_asm", null, LogItem::supportedInSystemMode))
                .hasMessage("-d out_asm: logging 'out_asm' is not supported in this build");
        assertThatThrownBy(() -> LogOptions.parse("nope", null, LogItem::supportedInSystemMode))
                .hasMessage("-d nope: unknown logging item (-d help lists them)");
    }

    @Test
    void helpListsEveryItemAndMarksTheOnesNotBuilt() {
        String usage = LogOptions.usage(LogItem::supportedInSystemMode);
        assertThat(usage).startsWith("Log items (comma separated):\n");
        assertThat(usage.lines().filter(l -> l.startsWith("out_asm")).findFirst().orElseThrow()).endsWith("(not supported in this build)");
        assertThat(usage.lines().filter(l -> l.startsWith("int ")).findFirst().orElseThrow()).doesNotContain("not supported");
    }
}
