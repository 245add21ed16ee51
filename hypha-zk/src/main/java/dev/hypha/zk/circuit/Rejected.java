package dev.hypha.zk.circuit;

/** A proof was rejected; the message names the check that failed (and the layer, where there is one). */
public final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    public Rejected(String message) {
        super(message);
    }

    public Rejected(String message, Throwable cause) {
        super(message, cause);
    }
}
