package dev.hypha.node.gateway.remote;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.node.gateway.http.AnswerOutput;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.payments.ReceiptHeaders;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whether a provider's signed receipt is the one a payer may accept for an answer: signed by the provider's expected
 * key in its receipt domain, for the exact body sent and the output received (answer or vectors), on the channel paid on, counting the
 * tokens the answer reports and no more than the request allowed, priced at most at the maximum paid for and at the
 * offer's prices (when the payer knows the offer), and charging no more than the voucher promised. Each problem names the fault it is evidence of.
 */
final class ReceiptCheck {
    private ReceiptCheck() {}

    /** One way the receipt is wrong, and what that says about the provider. */
    record Problem(ProviderFault fault, String text) {}

    /**
     * What the payer received, as a receipt must state it.
     *
     * @param what   how messages name the output ("answer", "vectors")
     * @param output the bytes the output hash must be the keccak of
     */
    record Received(String what, byte[] output, int tokensIn, int tokensOut) {
        /** A generated answer: its {@link AnswerOutput} bytes and its token counts. */
        static Received of(Completion answer) {
            return new Received("answer", AnswerOutput.of(answer), answer.promptTokens(), answer.generatedTokens());
        }
    }

    /**
     * Every way the receipt is wrong (empty when it is acceptable).
     *
     * @param voucherTotal the cumulative total the voucher sent with the request promised
     * @param offered      the terms of the offer the request was routed on, when known
     * @param tokenLimit   the most tokens the request allowed ({@link GenerateCall#UNLIMITED} when it set none)
     */
    static List<Problem> problems(RemoteProvider provider, ReceiptHeaders.SignedReceipt signed, byte[] body,
                                  Received answer, BigInteger maximum, BigInteger voucherTotal,
                                  Optional<OfferTerms> offered, int tokenLimit) {
        Receipt r = signed.receipt();
        List<Problem> out = new ArrayList<>();
        if (!signed.signer().equals(provider.receiptSigner())
                || !provider.receipts().isSignedBy(r, signed.signature(), provider.receiptSigner())) {
            out.add(new Problem(ProviderFault.BAD_RECEIPT, "not signed by the provider's key "
                    + provider.receiptSigner().toChecksumString()));
        }
        if (!r.requestHash().equals(keccak(body))) {
            out.add(new Problem(ProviderFault.BAD_RECEIPT, "request hash " + r.requestHash()
                    + " is not the keccak of the body sent"));
        }
        if (!r.outputHash().equals(keccak(answer.output()))) {
            out.add(new Problem(ProviderFault.BAD_RECEIPT, "output hash " + r.outputHash()
                    + " is not the keccak of the " + answer.what() + " received"));
        }
        if (!r.channelId().equals(provider.channel().id())) {
            out.add(new Problem(ProviderFault.BAD_RECEIPT, "channel " + r.channelId() + " is not the channel paid on, "
                    + provider.channel().id()));
        }
        if (r.tokensIn() != answer.tokensIn() || r.tokensOut() != answer.tokensOut()) {
            // More than the answer has is billing for tokens never made; fewer is a receipt for another answer.
            boolean inflated = r.tokensIn() > answer.tokensIn() || r.tokensOut() > answer.tokensOut();
            out.add(new Problem(inflated ? ProviderFault.INFLATED_TOKENS : ProviderFault.BAD_RECEIPT, "tokens in/out "
                    + r.tokensIn() + "/" + r.tokensOut() + " differ from the answer's " + answer.tokensIn() + "/"
                    + answer.tokensOut()));
        }
        if (tokenLimit != GenerateCall.UNLIMITED && r.tokensOut() > tokenLimit) {
            out.add(new Problem(ProviderFault.INFLATED_TOKENS, "counts " + r.tokensOut() + " generated tokens where the "
                    + "request allowed at most " + tokenLimit));
        }
        if (r.price().compareTo(maximum) > 0) {
            out.add(new Problem(ProviderFault.OVERCHARGED, "price " + r.price() + " is above the maximum " + maximum
                    + " paid for"));
        }
        offered.flatMap(terms -> terms.overcharge(r.price(), r.tokensIn(), r.tokensOut()))
                .ifPresent(why -> out.add(new Problem(ProviderFault.OVERCHARGED, why)));
        if (r.cumulativeAmount().compareTo(voucherTotal) > 0) {
            out.add(new Problem(ProviderFault.OVERCHARGED, "charged total " + r.cumulativeAmount() + " is above the "
                    + voucherTotal + " the voucher promised"));
        }
        return List.copyOf(out);
    }

    /** The most serious fault among the problems (cheating faults are declared from least to most serious). */
    static Optional<ProviderFault> worst(List<Problem> problems) {
        return problems.stream().map(Problem::fault).max(Comparator.naturalOrder());
    }

    private static String keccak(byte[] bytes) {
        return Hex.encode(Hashes.keccak256(bytes));
    }
}
