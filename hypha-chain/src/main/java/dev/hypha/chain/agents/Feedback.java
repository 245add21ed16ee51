package dev.hypha.chain.agents;

import dev.hypha.chain.ChainErrors;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A rating as ERC-8004's {@code giveFeedback} takes it: {@code value} with {@code valueDecimals} decimals (e.g. 87 with
 * 0 decimals, or 9977 with 2 for 99.77 %), two tags, the endpoint rated, and an optional off-chain feedback file and
 * its hash. Checked with ReputationRegistry's rules, so a bad rating fails before gas is spent.
 *
 * @param value         the score (int128)
 * @param valueDecimals 0..18
 * @param tag1          a tag (≤ 512 bytes), e.g. "starred"
 * @param tag2          a second tag (≤ 512 bytes)
 * @param endpoint      the endpoint rated (≤ 512 bytes)
 * @param feedbackUri   where a longer feedback file is (≤ 512 bytes; "" for none)
 * @param feedbackHash  32 bytes, the file's hash (zeros for none)
 */
public record Feedback(BigInteger value, int valueDecimals, String tag1, String tag2, String endpoint, String feedbackUri,
                       byte[] feedbackHash) {
    private static final BigInteger INT128_MAX = BigInteger.TWO.pow(127).subtract(BigInteger.ONE);
    private static final BigInteger MAX_SCALED = BigInteger.TEN.pow(38);
    private static final int MAX_STRING = 512;

    public Feedback {
        Objects.requireNonNull(value, "value");
        if (value.compareTo(INT128_MAX) > 0 || value.compareTo(INT128_MAX.negate().subtract(BigInteger.ONE)) < 0) {
            throw ChainErrors.input("feedback value " + value + " does not fit int128");
        }
        if (valueDecimals < 0 || valueDecimals > 18) {
            throw ChainErrors.input("feedback valueDecimals must be 0..18, was " + valueDecimals);
        }
        if (value.abs().multiply(BigInteger.TEN.pow(18 - valueDecimals)).compareTo(MAX_SCALED) > 0) {
            throw ChainErrors.input("feedback value " + value + " with " + valueDecimals + " decimals is above 1e20");
        }
        for (String s : new String[] {tag1, tag2, endpoint, feedbackUri}) {
            if (Objects.requireNonNull(s, "tags, endpoint and URI").getBytes(StandardCharsets.UTF_8).length > MAX_STRING) {
                throw ChainErrors.input("feedback tags, endpoint and URI are at most " + MAX_STRING + " bytes each");
            }
        }
        if (Objects.requireNonNull(feedbackHash, "feedbackHash").length != 32) {
            throw ChainErrors.input("feedbackHash must be 32 bytes");
        }
        feedbackHash = feedbackHash.clone();
    }

    /** A plain score out of 100 with a tag, no file. */
    public static Feedback score(int outOf100, String tag, String endpoint) {
        return new Feedback(BigInteger.valueOf(outOf100), 0, tag, "", endpoint, "", new byte[32]);
    }

    @Override
    public byte[] feedbackHash() {
        return feedbackHash.clone();
    }
}
