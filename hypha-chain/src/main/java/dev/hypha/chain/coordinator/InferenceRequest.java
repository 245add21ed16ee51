package dev.hypha.chain.coordinator;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * A request as the coordinator announced it (its InferenceRequested event): what a provider needs to answer it. Built
 * from the indexer's decoded event, every field checked and bounded first, since whatever a chain says is untrusted.
 *
 * @param requestId        the coordinator's id
 * @param requester        who asked
 * @param model            the model digest, 0x + 64 hex
 * @param requestHash      the hash receipts name, 0x + 64 hex
 * @param input            the input bytes (at most {@link DataKind#maxLength()} of its kind)
 * @param inputKind        what {@code input} is
 * @param maxFee           the escrowed maximum
 * @param maxOutputTokens  most tokens to generate
 * @param callback         the callback or {@link Address#ZERO}
 * @param callbackGasLimit gas the callback gets
 * @param deadline         last moment (exclusive) to answer, unix seconds
 * @param blockNumber      the block the request was made in
 */
public record InferenceRequest(BigInteger requestId, Address requester, String model, String requestHash, byte[] input,
                               DataKind inputKind, BigInteger maxFee, int maxOutputTokens, Address callback,
                               long callbackGasLimit, long deadline, long blockNumber) {
    /** The event's name in the coordinator's ABI. */
    public static final String EVENT = "InferenceRequested";

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(requester, "requester");
        model = Bytes32.check("model", model);
        requestHash = Bytes32.check("requestHash", requestHash);
        Objects.requireNonNull(inputKind, "inputKind");
        input = Objects.requireNonNull(input, "input").clone();
        if (input.length > inputKind.maxLength()) {
            throw new IllegalArgumentException("input of " + input.length + " bytes exceeds " + inputKind.maxLength());
        }
        Objects.requireNonNull(maxFee, "maxFee");
        Objects.requireNonNull(callback, "callback");
    }

    @Override
    public byte[] input() {
        return input.clone();
    }

    /**
     * The request an InferenceRequested event describes, from its decoded arguments as the event indexer stores them
     * (integers as decimal strings, addresses and bytes as 0x hex; see {@code dev.hypha.chain.indexer.IndexedEvent}).
     *
     * @param name        the event's name (must be {@link #EVENT})
     * @param args        its arguments by name
     * @param blockNumber the block it was emitted in
     * @throws IllegalArgumentException naming the field when the event is not one, or a value is missing, malformed or
     *     out of the contract's bounds
     */
    public static InferenceRequest fromEvent(String name, Map<String, ?> args, long blockNumber) {
        if (!EVENT.equals(name)) {
            throw new IllegalArgumentException("expected an " + EVENT + " event, got " + name);
        }
        Args e = new Args(args);
        DataKind kind = DataKind.of(uint(e, "inputKind", 8).intValueExact());
        String inputHex = e.arg("input");
        // Check the length before decoding: a hex string is two characters a byte, plus "0x".
        if (inputHex.length() > 2 + 2L * kind.maxLength() || !inputHex.startsWith("0x")) {
            throw new IllegalArgumentException("input must be 0x hex of at most " + kind.maxLength() + " bytes, was "
                    + (inputHex.length() - 2) / 2 + " bytes");
        }
        byte[] input = HexFormat.of().parseHex(inputHex.substring(2));
        BigInteger maxOutputTokens = uint(e, "maxOutputTokens", 32);
        if (maxOutputTokens.compareTo(BigInteger.valueOf(RequestParams.MAX_OUTPUT_TOKENS)) > 0) {
            throw new IllegalArgumentException("maxOutputTokens " + maxOutputTokens + " is above the contract's "
                    + RequestParams.MAX_OUTPUT_TOKENS);
        }
        return new InferenceRequest(uint(e, "requestId", 256), Address.parse(e.arg("requester")), e.arg("model"),
                e.arg("requestHash"), input, kind, uint(e, "maxFee", 96), maxOutputTokens.intValueExact(),
                Address.parse(e.arg("callback")), uint(e, "callbackGasLimit", 32).longValueExact(),
                uint(e, "deadline", 64).longValue(), blockNumber);
    }

    /** The event's arguments, each required. */
    private record Args(Map<String, ?> values) {
        String arg(String name) {
            Object v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException(EVENT + " has no argument '" + name + "'");
            }
            return String.valueOf(v);
        }
    }

    private static BigInteger uint(Args e, String name, int bits) {
        String text = e.arg(name);
        if (text.length() > 78 || !text.chars().allMatch(Character::isDigit) || text.isEmpty()) {
            throw new IllegalArgumentException(name + " must be a decimal uint" + bits + ", was '"
                    + Bytes32.abbreviate(text) + "'");
        }
        BigInteger v = new BigInteger(text);
        if (v.bitLength() > bits || (bits == 64 && v.bitLength() > 63)) {
            throw new IllegalArgumentException(name + " " + Bytes32.abbreviate(text) + " does not fit uint" + bits);
        }
        return v;
    }
}
