package dev.hypha.node.gateway.local;

/** What the streaming sinks that look for tags in generated text ({@link ThinkingSink}, {@link ToolCallSink}) share. */
final class Tags {
    private Tags() {}

    /**
     * Length of the longest end of {@code s} that is a proper beginning of {@code tag}: text a sink must hold back,
     * since the next piece may complete the tag (0 for an empty tag).
     */
    static int partialAtEnd(String s, String tag) {
        for (int len = Math.min(tag.length() - 1, s.length()); len > 0; len--) {
            if (s.regionMatches(s.length() - len, tag, 0, len)) {
                return len;
            }
        }
        return 0;
    }
}
