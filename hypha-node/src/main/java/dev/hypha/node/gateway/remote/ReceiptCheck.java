package dev.hypha.node.gateway.remote;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Hex;
import dev.hypha.node.gateway.AnswerOutput;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.payments.ReceiptHeaders;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a provider's signed receipt is the one a payer may accept for an answer: signed by the provider's expected
 * key in its receipt domain, for the exact body sent and the text received, on the channel paid on, counting the
 * tokens the answer reports, priced at most at the maximum paid for, and charging no more than the voucher promised.
 */
final class ReceiptCheck {
    private ReceiptCheck() {}

    /**
     * Every way the receipt is wrong (empty when it is acceptable).
     *
     * @param voucherTotal the cumulative total the voucher sent with the request promised
     */
    static List<String> problems(RemoteProvider provider, ReceiptHeaders.SignedReceipt signed, byte[] body,
                                 Completion answer, BigInteger maximum, BigInteger voucherTotal) {
        return problems(provider, signed, body, new Received("answer", AnswerOutput.of(answer), answer.promptTokens(),
                answer.generatedTokens()), maximum, voucherTotal);
    }

    /**
     * What the payer received, as a receipt must state it.
     *
     * @param what   how messages name the output ("text", "vectors")
     * @param output the bytes the output hash must be the keccak of
     */
    record Received(String what, byte[] output, int tokensIn, int tokensOut) {}

    /** As above, for any answer ({@code received}: its output bytes and token counts). */
    static List<String> problems(RemoteProvider provider, ReceiptHeaders.SignedReceipt signed, byte[] body,
                                 Received answer, BigInteger maximum, BigInteger voucherTotal) {
        Receipt r = signed.receipt();
        List<String> out = new ArrayList<>();
        if (!signed.signer().equals(provider.receiptSigner())
                || !provider.receipts().isSignedBy(r, signed.signature(), provider.receiptSigner())) {
            out.add("not signed by the provider's key " + provider.receiptSigner().toChecksumString());
        }
        if (!r.requestHash().equals(keccak(body))) {
            out.add("request hash " + r.requestHash() + " is not the keccak of the body sent");
        }
        if (!r.outputHash().equals(keccak(answer.output()))) {
            out.add("output hash " + r.outputHash() + " is not the keccak of the " + answer.what() + " received");
        }
        if (!r.channelId().equals(provider.channel().id())) {
            out.add("channel " + r.channelId() + " is not the channel paid on, " + provider.channel().id());
        }
        if (r.tokensIn() != answer.tokensIn() || r.tokensOut() != answer.tokensOut()) {
            out.add("tokens in/out " + r.tokensIn() + "/" + r.tokensOut() + " differ from the answer's "
                    + answer.tokensIn() + "/" + answer.tokensOut());
        }
        if (r.price().compareTo(maximum) > 0) {
            out.add("price " + r.price() + " is above the maximum " + maximum + " paid for");
        }
        if (r.cumulativeAmount().compareTo(voucherTotal) > 0) {
            out.add("charged total " + r.cumulativeAmount() + " is above the " + voucherTotal + " the voucher promised");
        }
        return List.copyOf(out);
    }

    private static String keccak(byte[] bytes) {
        return Hex.encode(Hashes.keccak256(bytes));
    }
}
