package org.qemu.common.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The character-device spellings QEMU's documentation gives for -qmp and -monitor. */
class ChardevSpecTest {
    @Test
    void unixAndTcpServersInBothSpellings() throws Exception {
        assertThat(ChardevSpec.parse("-qmp", "unix:/tmp/q.sock,server,nowait"))
                .isEqualTo(new ChardevSpec(ChardevSpec.Kind.UNIX, Path.of("/tmp/q.sock"), null, 0, false));
        assertThat(ChardevSpec.parse("-qmp", "unix:/tmp/q.sock,server=on,wait=off").waitForClient()).isFalse();
        assertThat(ChardevSpec.parse("-qmp", "unix:/tmp/q.sock,server").waitForClient()).as("QEMU waits by default").isTrue();
        assertThat(ChardevSpec.parse("-qmp", "tcp:127.0.0.1:4444,server,nowait"))
                .isEqualTo(new ChardevSpec(ChardevSpec.Kind.TCP, null, "127.0.0.1", 4444, false));
        assertThat(ChardevSpec.parse("-qmp", "tcp::4444,server=on,wait=off").host()).isEmpty();
        assertThat(ChardevSpec.parse("-monitor", "stdio").kind()).isEqualTo(ChardevSpec.Kind.STDIO);
        assertThat(ChardevSpec.parse("-monitor", "none").kind()).isEqualTo(ChardevSpec.Kind.NONE);
    }

    @Test
    void whatIsNotBuiltIsRefusedByName() {
        assertThatThrownBy(() -> ChardevSpec.parse("-qmp", "unix:/tmp/q.sock")).hasMessageContaining("add ,server");
        assertThatThrownBy(() -> ChardevSpec.parse("-qmp", "pty")).hasMessageContaining("'pty' is not supported");
        assertThatThrownBy(() -> ChardevSpec.parse("-qmp", "tcp:localhost,server")).hasMessageContaining("port not specified");
        assertThatThrownBy(() -> ChardevSpec.parse("-qmp", "tcp::99999,server")).hasMessageContaining("invalid port");
        assertThatThrownBy(() -> ChardevSpec.parse("-qmp", "unix:/x,server,telnet")).hasMessageContaining("'telnet' is not supported");
        assertThatThrownBy(() -> ChardevSpec.parse("-qmp", "unix:/x,server=maybe")).hasMessageContaining("not a valid boolean");
    }
}
