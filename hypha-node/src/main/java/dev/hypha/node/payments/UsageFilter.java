package dev.hypha.node.payments;

import dev.hypha.core.crypto.Address;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Which receipts {@link PayerReceipts#usage} sums; every part is optional and an empty filter takes them all.
 *
 * @param since    only receipts accepted on this UTC day or later
 * @param model    only receipts for this model name (exactly as the client asked for it)
 * @param provider only receipts from this provider
 */
public record UsageFilter(Optional<LocalDate> since, Optional<String> model, Optional<Address> provider) {
    /** Every receipt. */
    public static final UsageFilter ALL = new UsageFilter(Optional.empty(), Optional.empty(), Optional.empty());

    public UsageFilter {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(provider, "provider");
    }
}
