package org.qemu.common.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Cutting a QMP input stream into JSON texts (RFC 8259 grammar: strings, escapes, nesting). */
class JsonTextSplitterTest {
    private final JsonTextSplitter splitter = new JsonTextSplitter();

    private List<String> texts(String chars) {
        return splitter.feed(chars).stream().map(t -> t.error() != null ? "ERROR " + t.error() : t.json()).toList();
    }

    @Test
    void severalTextsInOneReadAndOneTextOverSeveralReads() {
        assertThat(texts("{\"a\": 1} {\"b\": [2, {}]}\n  [3]")).containsExactly("{\"a\": 1}", "{\"b\": [2, {}]}", "[3]");
        assertThat(texts("{\"execute\": ")).isEmpty();
        assertThat(texts("\"stop\"}")).containsExactly("{\"execute\": \"stop\"}");
    }

    @Test
    void bracketsInsideStringsAndEscapedQuotesDoNotCount() {
        assertThat(texts("{\"s\": \"}]{\\\"[\"}")).containsExactly("{\"s\": \"}]{\\\"[\"}");
    }

    @Test
    void scalarsAndStrayClosersAreTextsOfTheirOwn() {
        assertThat(texts("42 \"str\" true\n")).containsExactly("42", "\"str\"", "true");
        assertThat(texts("}")).containsExactly("ERROR expecting value");
        assertThat(texts("{\"ok\": 1}")).containsExactly("{\"ok\": 1}");
    }

    @Test
    void tooDeepNestingIsAnErrorAndTheStreamRecoversAtTheNextLine() {
        assertThat(texts("[".repeat(JsonTextSplitter.MAX_DEPTH + 1))).containsExactly("ERROR JSON nesting too deep");
        assertThat(texts("]]]]\n{\"next\": 1}")).containsExactly("{\"next\": 1}");
    }
}
