package org.qemu.common.qmp;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the byte stream a QMP client sends into top-level JSON texts without parsing them, so that
 * one malformed text costs one error reply and the next text is read normally (a streaming parser
 * that has failed cannot resynchronise). Objects and arrays end where their brackets balance,
 * outside strings; anything else runs to the next whitespace or bracket. Texts longer than
 * {@link #MAX_TEXT} or nested deeper than {@link #MAX_DEPTH} are cut off as errors, as QEMU
 * bounds its parser's memory.
 */
final class JsonTextSplitter {
    static final int MAX_TEXT = 1 << 20;
    static final int MAX_DEPTH = 1024;

    /** One complete text, or a text this splitter already knows is malformed ({@code error} not null). */
    record Text(String json, String error) {
    }

    private final StringBuilder current = new StringBuilder();
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean scalar;
    private boolean discarding;

    /** Feeds decoded characters; returns the texts they completed. */
    List<Text> feed(CharSequence chars) {
        List<Text> done = new ArrayList<>();
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (discarding) {
                // after an oversized text, skip to a line end: QMP clients send one text per line
                if (c == '\n') {
                    discarding = false;
                }
                continue;
            }
            if (depth == 0 && !scalar) {
                if (Character.isWhitespace(c)) {
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth = 1;
                    current.append(c);
                } else if (c == '}' || c == ']') {
                    done.add(new Text(null, "expecting value"));
                } else {
                    scalar = true;
                    inString = c == '"';
                    current.append(c);
                }
                continue;
            }
            if (scalar) {
                if (inString) {
                    current.append(c);
                    if (escaped) {
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == '"') {
                        inString = false;
                        done.add(finish());
                    }
                } else if (Character.isWhitespace(c) || c == '{' || c == '[' || c == '}' || c == ']') {
                    done.add(finish());
                    i--; // the delimiter belongs to what follows
                } else {
                    current.append(c);
                }
                continue;
            }
            current.append(c);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
                if (depth > MAX_DEPTH) {
                    done.add(overflow("JSON nesting too deep"));
                    continue;
                }
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    done.add(finish());
                    continue;
                }
            }
            if (current.length() > MAX_TEXT) {
                done.add(overflow("JSON token too large"));
            }
        }
        return done;
    }

    private Text finish() {
        Text t = new Text(current.toString(), null);
        reset();
        return t;
    }

    private Text overflow(String why) {
        reset();
        discarding = true;
        return new Text(null, why);
    }

    private void reset() {
        current.setLength(0);
        depth = 0;
        inString = false;
        escaped = false;
        scalar = false;
    }
}
