package dev.hypha.ml.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * How a text file is cut into documents, the unit a text dataset's train/test split holds out whole. Lines end at
 * '\n'; a document's text is its lines joined with '\n' as in the file, less trailing whitespace (so the '\r' of a
 * CRLF line that ends a document, and a fortune's trailing blank lines, are not part of it).
 */
public enum TextDocuments {
    /** The whole file is one document. */
    FILE,
    /** Every line that is not blank (blank: only whitespace) is a document. */
    LINE,
    /** Runs of non-blank lines separated by blank lines. */
    PARAGRAPH,
    /** The fortune(6)/strfile format: documents separated by lines that are exactly "%"; blank ones are dropped. */
    FORTUNE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static TextDocuments parse(String label) {
        for (TextDocuments d : values()) {
            if (d.label().equals(label)) {
                return d;
            }
        }
        throw new IllegalArgumentException("documents must be file, line, paragraph or fortune, found '" + label + "'");
    }

    /** The documents of one file's text, in order. */
    public List<String> split(String text) {
        List<String> out = new ArrayList<>();
        if (this == FILE) {
            if (!text.isBlank()) {
                out.add(text.stripTrailing());
            }
            return out;
        }
        StringBuilder current = new StringBuilder();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            String line = text.substring(start, end < 0 ? text.length() : end);
            boolean separator = switch (this) {
                case LINE -> true;
                case PARAGRAPH -> line.isBlank();
                case FORTUNE -> line.equals("%") || line.equals("%\r");
                case FILE -> throw new IllegalStateException();
            };
            if (this == LINE) {
                if (!line.isBlank()) {
                    out.add(line.stripTrailing());
                }
            } else if (separator) {
                flush(current, out);
            } else {
                current.append(current.isEmpty() ? "" : "\n").append(line);
            }
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        flush(current, out);
        return out;
    }

    private static void flush(StringBuilder current, List<String> out) {
        if (!current.toString().isBlank()) {
            out.add(current.toString().stripTrailing()); // a fortune's trailing blank lines are not part of it
        }
        current.setLength(0);
    }
}
