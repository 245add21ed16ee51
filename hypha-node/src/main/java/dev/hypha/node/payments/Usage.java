package dev.hypha.node.payments;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * What a payer spent on one model at one provider in one token on one UTC day: one row of {@code hypha usage}.
 *
 * @param day       the UTC day the receipts were accepted, {@code YYYY-MM-DD}
 * @param model     the model name the client asked for
 * @param provider  the provider that was paid
 * @param token     the payment token, empty for receipts stored before the token was recorded with them
 * @param requests  how many paid answers (receipts)
 * @param tokensIn  prompt tokens over those answers
 * @param tokensOut generated tokens over those answers
 * @param amount    what they cost, in the token's smallest unit (exact: receipts carry uint256 prices)
 */
public record Usage(String day, String model, Address provider, Optional<Address> token, long requests,
                    long tokensIn, long tokensOut, BigInteger amount) {
    public Usage {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(amount, "amount");
    }
}
