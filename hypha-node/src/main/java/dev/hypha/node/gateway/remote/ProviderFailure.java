package dev.hypha.node.gateway.remote;

import dev.hypha.node.gateway.GatewayException;
import java.net.URI;
import java.util.Objects;

/**
 * A provider failed while answering (unreachable, broke off its stream, sent an error line): another provider may take
 * over, continuing from {@link #partialText()}, the text this one had already delivered (and the client received).
 */
public final class ProviderFailure extends GatewayException {
    private static final long serialVersionUID = 1L;

    private final ProviderFault fault;
    private final String partialText;

    ProviderFailure(URI provider, ProviderFault fault, String what, String partialText, Throwable cause) {
        super(Kind.INTERNAL, "provider " + provider + " " + what, cause);
        if (Objects.requireNonNull(fault, "fault").cheating()) {
            throw new IllegalArgumentException(fault + " is cheating, not a failure another provider can make good");
        }
        this.fault = fault;
        this.partialText = Objects.requireNonNull(partialText, "partialText");
    }

    /** What kind of failure it was (evidence for the provider's reputation). */
    public ProviderFault fault() {
        return fault;
    }

    /** What it had delivered before it failed (empty when nothing). */
    public String partialText() {
        return partialText;
    }
}
