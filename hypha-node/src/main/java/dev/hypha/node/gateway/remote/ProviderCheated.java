package dev.hypha.node.gateway.remote;

import dev.hypha.node.gateway.GatewayException;
import java.util.Objects;

/**
 * A provider answered but what it signed or asked for is false (see {@link ProviderFault#cheating()}): the answer is
 * refused and nothing is stored. Unlike a {@link ProviderFailure} nobody continues an answer the client has seen
 * ({@link #delivered()}): it may be whole already. The gateway records the fault so routing avoids the provider.
 */
public final class ProviderCheated extends GatewayException {
    private static final long serialVersionUID = 1L;

    private final ProviderFault fault;
    private final boolean delivered;

    ProviderCheated(ProviderFault fault, String message, boolean delivered) {
        super(Kind.INTERNAL, message);
        if (!Objects.requireNonNull(fault, "fault").cheating()) {
            throw new IllegalArgumentException(fault + " is not cheating");
        }
        this.fault = fault;
        this.delivered = delivered;
    }

    /**
     * Whether the caller's sink had received text before the provider was caught (then the answer cannot be handed to
     * another provider; before that, it can).
     */
    public boolean delivered() {
        return delivered;
    }

    /** The worst of what was wrong. */
    public ProviderFault fault() {
        return fault;
    }
}
