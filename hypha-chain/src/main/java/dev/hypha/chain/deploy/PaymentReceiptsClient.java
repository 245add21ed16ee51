package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.agents.PaymentReceipt;
import dev.hypha.chain.contracts.PaymentReceipts;
import java.util.Locale;

/**
 * PaymentReceipts: settles EIP-3009 payments of the payment token (x402 {@code exact}) and keeps a receipt of each,
 * the payer's proof of payment when it rates the agent. Settling is the x402 facilitator's job
 * ({@code dev.hypha.node.x402.ExactFacilitator} relays through this contract); here are the reads.
 */
public final class PaymentReceiptsClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "PaymentReceipts";

    private final ContractCalls calls;
    private final PaymentReceipts binding;

    PaymentReceiptsClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, PaymentReceipts::load);
    }

    /** The contract's address. */
    public String address() {
        return calls.deployment().address(NAME);
    }

    /** The id of the receipt of {@code from}'s authorization {@code nonce}: keccak256(abi.encode(from, nonce)). */
    public byte[] receiptIdOf(String from, byte[] nonce) {
        return read(NAME + ".receiptIdOf", () -> binding.receiptIdOf(ContractCalls.address(from), bytes32("nonce", nonce)).send());
    }

    /** A receipt ({@link PaymentReceipt#exists()} false when there is none). */
    public PaymentReceipt receipt(byte[] receiptId) {
        PaymentReceipts.Receipt r = read(NAME + ".receipt", () -> binding.receipt(bytes32("receipt id", receiptId)).send());
        return new PaymentReceipt(receiptId, r.from.toLowerCase(Locale.ROOT), r.to.toLowerCase(Locale.ROOT), r.value);
    }
}
