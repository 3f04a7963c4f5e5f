package org.qemu.common.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -trace} spellings as QEMU documents them: names, globs, enable=, events=FILE, -pattern. */
class TraceEventsTest {
    @TempDir
    Path dir;

    @AfterEach
    void reset() throws Exception {
        TraceEvents.enable(List.of());
    }

    @Test
    void namesGlobsAndEnableSelectTheEvent() throws Exception {
        assertThat(TraceEvents.enable(List.of("translate_block"))).isEmpty();
        assertThat(TraceEvents.isEnabled("translate_block")).isTrue();
        TraceEvents.enable(List.of("translate_*"));
        assertThat(TraceEvents.isEnabled("translate_block")).isTrue();
        TraceEvents.enable(List.of("enable=tr?nslate_block"));
        assertThat(TraceEvents.isEnabled("translate_block")).isTrue();
        TraceEvents.enable(List.of("virtio_*"));
        assertThat(TraceEvents.isEnabled("translate_block")).isFalse();
        TraceEvents.enable(List.of("*", "-translate_block"));
        assertThat(TraceEvents.isEnabled("translate_block")).isFalse();
    }

    @Test
    void anEventsFileHoldsOnePatternPerLine() throws Exception {
        Path events = dir.resolve("events");
        Files.writeString(events, "# blocks\n\ntranslate_*\n");
        assertThat(TraceEvents.enable(List.of("events=" + events))).isEmpty();
        assertThat(TraceEvents.isEnabled("translate_block")).isTrue();
        assertThatThrownBy(() -> TraceEvents.enable(List.of("events=" + dir.resolve("missing"))))
                .hasMessageStartingWith("-trace events=");
    }

    @Test
    void unknownNamesWarnAndTraceFilesAreRefused() throws Exception {
        assertThat(TraceEvents.enable(List.of("nosuchevent", "nosuch_*"))).containsExactly("trace event 'nosuchevent' does not exist");
        assertThatThrownBy(() -> TraceEvents.enable(List.of("file=trace.out"))).isInstanceOf(TraceEvents.InvalidTrace.class);
        assertThat(TraceEvents.usage()).isEqualTo("translate_block\n");
    }
}
