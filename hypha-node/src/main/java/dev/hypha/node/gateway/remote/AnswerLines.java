package dev.hypha.node.gateway.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;

/**
 * Reads a provider's NDJSON stream one line at a time with bounds: a line longer than {@link #MAX_LINE} or a stream
 * longer than {@link #MAX_TOTAL} is refused, so a hostile provider cannot make the gateway buffer without end.
 * Hand-written because the JDK's readers have no per-line bound.
 */
final class AnswerLines {
    /** Longest line accepted (one token's chunk is ~200 bytes; the last line carries the receipt). */
    static final int MAX_LINE = 1 << 20;
    /** Most bytes one answer may stream (about 300k chunks). */
    static final long MAX_TOTAL = 64L << 20;

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int end;
    private long total;

    AnswerLines(InputStream in) {
        this.in = in;
    }

    /** The next non-empty line without its newline, or null at the end of the stream. */
    byte[] next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (pos == end) {
                end = in.read(buffer);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    if (line.size() > 0) {
                        return line.toByteArray(); // a last line without its newline
                    }
                    return null;
                }
                total += end;
                if (total > MAX_TOTAL) {
                    throw new IOException("the answer streamed more than " + MAX_TOTAL + " bytes");
                }
            }
            int start = pos;
            while (pos < end && buffer[pos] != '\n') {
                pos++;
            }
            line.write(buffer, start, pos - start);
            if (line.size() > MAX_LINE) {
                throw new IOException("a line of the answer is longer than " + MAX_LINE + " bytes");
            }
            if (pos < end) {
                pos++; // the newline
                if (line.size() > 0) {
                    return line.toByteArray();
                }
            }
        }
    }
}
