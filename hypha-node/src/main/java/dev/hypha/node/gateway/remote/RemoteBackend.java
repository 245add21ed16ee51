package dev.hypha.node.gateway.remote;

import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.PaymentRequiredHeader;
import dev.hypha.node.payments.PaymentRequirement;
import dev.hypha.node.payments.ReceiptHeaders;
import java.math.BigInteger;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Answers bought from one provider over its paid API ({@code /provider/v1}, non-streaming for now). A request first
 * goes unpaid; the provider's 402 states the most it can cost, and the payer signs (through {@link PayerLedger}, which
 * records the total before signing and never signs beyond the deposit) max(the total signed already, the total the
 * provider last reported charged + this maximum): exactly what {@code ProviderLedger.reserve} requires, so the payer
 * is never exposed beyond what answers cost plus one maximum. The answer is released only with an acceptable signed
 * receipt ({@link ReceiptCheck}), which is stored first ({@link PayerReceipts}).
 */
public final class RemoteBackend implements InferenceBackend {
    private final RemoteProvider provider;
    private final PayerLedger ledger;
    private final PayerReceipts receipts;
    private final Function<TypedData, Signature> payerKey;
    private final ProviderClient http;
    private final Clock clock;

    public RemoteBackend(RemoteProvider provider, PayerLedger ledger, PayerReceipts receipts,
                         Function<TypedData, Signature> payerKey, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.receipts = Objects.requireNonNull(receipts, "receipts");
        this.payerKey = Objects.requireNonNull(payerKey, "payerKey");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = new ProviderClient(provider.baseUrl());
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        boolean chat = OllamaRequestBody.isChat(call);
        byte[] body = OllamaRequestBody.of(call);
        ProviderClient.Response first = http.post(chat, body, null);
        if (first.status() != 402) {
            throw fail("answered " + first.status() + " to an unpaid request, not 402: " + first.error());
        }
        PaymentRequirement required = checked(PaymentRequiredHeader.parse(first.paymentRequired()).requirement());
        BigInteger maximum = required.amount();
        Voucher voucher = pay(maximum);
        ProviderClient.Response paid = http.post(chat, body,
                PaymentHeaders.paymentSignature(provider.chainId(), provider.channel(), voucher));
        if (paid.status() == 402) {
            throw fail("refused the voucher for " + voucher.cumulativeAmount() + ": "
                    + PaymentRequiredHeader.parse(paid.paymentRequired()).error());
        }
        if (paid.status() != 200) {
            throw fail("answered " + paid.status() + ": " + paid.error());
        }
        Completion answer = ProviderAnswer.parse(paid.body(), chat);
        ReceiptHeaders.SignedReceipt receipt;
        try {
            receipt = ReceiptHeaders.parse(paid.receipt());
        } catch (HyphaException e) {
            throw fail("sent no usable receipt: " + e.getMessage());
        }
        List<String> problems = ReceiptCheck.problems(provider, receipt, body, answer, maximum, voucher.cumulativeAmount());
        if (!problems.isEmpty()) {
            throw fail("sent a receipt that was refused, so its answer was too: " + String.join("; ", problems));
        }
        receipts.add(new PayerReceipts.Stored(clock.instant(), call.model(), provider.channel().provider(),
                receipt.receipt()), receipt.signature().toHex());
        sink.accept(answer.text());
        return answer;
    }

    /** Signs the voucher a request of at most {@code maximum} needs, refusing (before signing) beyond the deposit. */
    private Voucher pay(BigInteger maximum) {
        String id = provider.channel().id();
        BigInteger total = ledger.signedTotal(id).max(receipts.charged(id).add(maximum));
        BigInteger deposit = ledger.deposit(id);
        if (total.compareTo(deposit) > 0) {
            throw new GatewayException(GatewayException.Kind.BAD_REQUEST, "channel " + id + " holds " + deposit
                    + " but this request needs a voucher for " + total + " (charged so far plus its maximum of "
                    + maximum + "): top the channel up or open another");
        }
        try {
            return ledger.authorize(id, total, payerKey);
        } catch (HyphaException e) {
            throw new GatewayException(GatewayException.Kind.BAD_REQUEST, e.getMessage(), e);
        }
    }

    /** The 402's terms must be this provider's, on this channel's token, contract and chain. */
    private PaymentRequirement checked(PaymentRequirement r) {
        if (r.chainId() != provider.chainId()) {
            throw fail("asks for payment on " + r.network() + ", not eip155:" + provider.chainId());
        }
        if (!r.payTo().equals(provider.channel().provider())) {
            throw fail("asks for payment to " + r.payTo().toChecksumString() + ", not to the channel's provider "
                    + provider.channel().provider().toChecksumString());
        }
        if (!r.asset().equals(provider.channel().token())) {
            throw fail("asks for payment in " + r.asset().toChecksumString() + ", not the channel's token "
                    + provider.channel().token().toChecksumString());
        }
        if (!r.channels().equals(provider.channels())) {
            throw fail("names the channels contract " + r.channels().toChecksumString() + ", not "
                    + provider.channels().toChecksumString());
        }
        return r;
    }

    private GatewayException fail(String what) {
        return new GatewayException(GatewayException.Kind.INTERNAL, "provider " + provider.baseUrl() + " " + what);
    }

    private GatewayException notOffered(String what) {
        return new GatewayException(GatewayException.Kind.BAD_REQUEST, "the remote backend does not offer " + what
                + " yet: a provider's paid API serves only /api/chat and /api/generate");
    }

    @Override
    public List<ModelInfo> models() {
        throw notOffered("a model list");
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        throw notOffered("model details");
    }

    @Override
    public List<RunningModel> running() {
        throw notOffered("running models");
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        throw notOffered("loading models");
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        throw notOffered("pricing ahead of a request");
    }

    @Override
    public Embeddings embed(EmbedCall call) {
        throw notOffered("embeddings");
    }

    @Override
    public void close() {
        http.close();
    }
}
