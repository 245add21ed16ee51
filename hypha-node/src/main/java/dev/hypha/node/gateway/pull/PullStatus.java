package dev.hypha.node.gateway.pull;

import java.util.Objects;

/**
 * One progress line of a pull, as Ollama streams them: {@code pulling manifest}, then {@code pulling <digest>} with
 * {@code total} and {@code completed} bytes (repeated), {@code verifying content id}, {@code writing manifest},
 * {@code success}. {@code digest} is the content id of the file being fetched, or null for the lines without one.
 */
public record PullStatus(String status, String digest, long total, long completed) {
    public static final String PULLING_MANIFEST = "pulling manifest";
    public static final String VERIFYING = "verifying content id";
    public static final String WRITING_MANIFEST = "writing manifest";
    public static final String SUCCESS = "success";

    public PullStatus {
        Objects.requireNonNull(status, "status");
    }

    static PullStatus of(String status) {
        return new PullStatus(status, null, 0, 0);
    }

    /** Ollama's {@code pulling <short digest>} line; the short form is the last 12 characters (every id starts alike). */
    static PullStatus pulling(String digest, long total, long completed) {
        String shortDigest = digest.length() > 12 ? digest.substring(digest.length() - 12) : digest;
        return new PullStatus("pulling " + shortDigest, digest, total, completed);
    }

    /** Receives the lines of one pull, in order, on the pulling thread; throwing from it cancels the pull. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = s -> { };

        void status(PullStatus status);
    }
}
