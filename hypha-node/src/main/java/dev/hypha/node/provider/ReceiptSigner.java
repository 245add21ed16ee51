package dev.hypha.node.provider;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.node.payments.ReceiptHeaders;
import java.util.Objects;
import java.util.function.Function;

/**
 * Signs answers' receipts with the provider's signing key (which never leaves its signer) in the
 * {@link ReceiptDomain} of the chain and ProviderRegistry, and writes them as a {@code PAYMENT-RESPONSE} value.
 */
public final class ReceiptSigner {
    private final ReceiptDomain domain;
    private final Address signer;
    private final Function<TypedData, Signature> key;

    /**
     * @param signer the address of the key (what payers check receipts against)
     * @param key    signs typed data with that key (e.g. {@code TransactionSender::signTypedData})
     */
    public ReceiptSigner(ReceiptDomain domain, Address signer, Function<TypedData, Signature> key) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.key = Objects.requireNonNull(key, "key");
    }

    /** The {@code PAYMENT-RESPONSE} header value carrying {@code receipt} and its signature. */
    public String header(Receipt receipt) {
        return header(receipt, java.util.Optional.empty());
    }

    /** The header value carrying {@code receipt}, its signature and the answer's opML commitment, if it has one. */
    public String header(Receipt receipt, java.util.Optional<dev.hypha.chain.opml.OpmlCommitment> opml) {
        Signature signature = domain.sign(receipt, key);
        return ReceiptHeaders.encode(domain.chainId(), new ReceiptHeaders.SignedReceipt(receipt, signer, signature, opml));
    }
}
