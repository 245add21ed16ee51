package dev.hypha.node.gateway;

/**
 * A request the gateway cannot answer, with a message for the client that names what was wrong. The kind decides
 * the status code and error type each API reports; the message is the same in both. Open for subtypes that carry
 * what a caller needs to recover (a provider that failed mid-answer and the text it delivered).
 */
public class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, independent of the API that reports it. */
    public enum Kind {
        /** The request itself is wrong (malformed JSON, a field of the wrong type, an unknown role). 400. */
        BAD_REQUEST,
        /** The named model does not exist here. 404. */
        NOT_FOUND,
        /** Too many requests are waiting; try again later. 503. */
        OVERLOADED,
        /** The request is fine but the engine failed (a damaged model file, a template that fails). 500. */
        INTERNAL
    }

    private final Kind kind;

    public GatewayException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public GatewayException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static GatewayException badRequest(String message) {
        return new GatewayException(Kind.BAD_REQUEST, message);
    }

    /** Ollama's wording, which clients match on to offer a pull. */
    public static GatewayException modelNotFound(String model) {
        return new GatewayException(Kind.NOT_FOUND, "model \"" + model + "\" not found, try pulling it first");
    }
}
