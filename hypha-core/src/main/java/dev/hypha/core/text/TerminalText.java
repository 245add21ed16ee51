package dev.hypha.core.text;

/**
 * Makes untrusted text (read from the chain, a peer or a model file) safe to print on a terminal.
 *
 * <p>A string registered on-chain can hold escape sequences that move the cursor, rewrite earlier lines, set the
 * window title, or (on some terminals) answer back; Unicode bidirectional controls can make {@code evil.com/moc.doog}
 * read as something else. Every such character is shown instead as a visible escape ({@code \x1b}, {@code \u202e}),
 * so what the user sees is exactly what is stored, and nothing is hidden or executed. Printable text, including
 * non-Latin scripts and emoji, passes unchanged. Written by hand: it is a short character filter, and no library in
 * the dependency set does this for terminals.
 */
public final class TerminalText {
    private TerminalText() {}

    /** Longest text shown by {@link #line(String)}; longer text is cut with a note of how much was left out. */
    public static final int MAX_LINE = 4096;

    /**
     * One line of untrusted text: every control character, line break included, and every bidi control is escaped;
     * text longer than {@link #MAX_LINE} code points is cut with a note.
     */
    public static String line(String untrusted) {
        return escape(untrusted, false, MAX_LINE);
    }

    /**
     * Multi-line untrusted text (a chat template, a model card): like {@link #line} but keeps line feeds and tabs,
     * and does not cut.
     */
    public static String block(String untrusted) {
        return escape(untrusted, true, Integer.MAX_VALUE);
    }

    private static String escape(String s, boolean keepLines, int maxCodePoints) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), maxCodePoints) + 16);
        int shown = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (shown == maxCodePoints) {
                int rest = s.codePointCount(i - Character.charCount(cp), s.length());
                out.append("… (").append(rest).append(" more characters)");
                break;
            }
            shown++;
            if (keepLines && (cp == '\n' || cp == '\t')) {
                out.append((char) cp);
            } else if (unsafe(cp)) {
                out.append(cp <= 0xFF ? String.format("\\x%02x", cp) : String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /** C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, and unpaired surrogates. */
    private static boolean unsafe(int cp) {
        return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
                || cp == 0x200E || cp == 0x200F || cp == 0x061C
                || (cp >= 0xD800 && cp <= 0xDFFF);
    }
}
