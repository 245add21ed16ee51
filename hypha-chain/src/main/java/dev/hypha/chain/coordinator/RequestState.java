package dev.hypha.chain.coordinator;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A request's record on chain (the contract's {@code getRequest}).
 *
 * @param requester         who asked (and gets refunds)
 * @param deadline          last moment (exclusive) to answer, unix seconds
 * @param callbackGasLimit  gas the callback gets
 * @param callback          the callback, or {@link Address#ZERO}
 * @param maxFee            the escrowed maximum
 * @param model             the model digest
 * @param requestHash       the request's hash, what receipts name
 * @param provider          who answered ({@link Address#ZERO} while open)
 * @param fee               what it charged
 * @param challengeEndsAt   when its fee can be paid out (0 while open)
 * @param maxOutputTokens   most tokens to generate
 * @param status            where the request is
 * @param callbackSucceeded whether the callback ran without reverting
 */
public record RequestState(Address requester, long deadline, long callbackGasLimit, Address callback, BigInteger maxFee,
                           String model, String requestHash, Address provider, BigInteger fee, long challengeEndsAt,
                           int maxOutputTokens, RequestStatus status, boolean callbackSucceeded) {
    public RequestState {
        Objects.requireNonNull(status, "status");
    }
}
