package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import java.util.Objects;
import java.util.Set;

/**
 * Which providers may see the user's prompts: when {@code allow} is not empty only those, and never those in
 * {@code deny}.
 */
public record RoutingPolicy(Set<Address> allow, Set<Address> deny) {
    public RoutingPolicy {
        allow = Set.copyOf(Objects.requireNonNull(allow, "allow"));
        deny = Set.copyOf(Objects.requireNonNull(deny, "deny"));
    }

    /** Every provider may serve. */
    public static RoutingPolicy anyProvider() {
        return new RoutingPolicy(Set.of(), Set.of());
    }

    public boolean permits(Address provider) {
        return !deny.contains(provider) && (allow.isEmpty() || allow.contains(provider));
    }
}
