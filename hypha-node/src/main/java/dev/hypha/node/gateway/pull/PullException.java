package dev.hypha.node.gateway.pull;

/**
 * Why a pull failed, with the HTTP status the Ollama route answers when nothing has been streamed yet: 400 for a bad
 * request, 404 for a model no provider offers, 502 when the providers failed or sent something hostile, 503 in
 * local-only mode, 500 for local trouble (disk).
 */
public final class PullException extends RuntimeException {
    private final int status;

    public PullException(int status, String message) {
        super(message);
        this.status = status;
    }

    public PullException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static PullException badRequest(String message) {
        return new PullException(400, message);
    }

    static PullException notFound(String message) {
        return new PullException(404, message);
    }

    static PullException badPeers(String message) {
        return new PullException(502, message);
    }
}
