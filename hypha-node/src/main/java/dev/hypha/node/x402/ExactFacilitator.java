package dev.hypha.node.x402;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Verifies and settles x402 {@code exact} payments on the chain its relayer account is on: checks the payment
 * against the requirement (network, token, recipient, amount), the authorization's window against the chain's clock,
 * the signature (ECDSA recovery for an account key; an ERC-1271 smart account is judged by the token in the simulated
 * call), the nonce (unused on chain and not being settled right now) and the balance, then simulates the transfer;
 * settling sends it from the relayer, which pays the gas. Reasons are the official {@code @x402/evm} facilitator's
 * codes, so x402 servers that read them understand ours.
 *
 * <p>Settlement goes through a PaymentReceipts contract when one is given for the payment's token (the receipt is the
 * payer's proof of payment for reputation), else straight to the token's {@code transferWithAuthorization}.
 */
public final class ExactFacilitator {
    /** An authorization this close to expiry is refused: it could expire before its transaction is mined. */
    static final long EXPIRY_MARGIN_SECONDS = 6;

    static final String INVALID_SCHEME = "invalid_exact_evm_scheme";
    static final String NETWORK_MISMATCH = "invalid_exact_evm_network_mismatch";
    static final String ASSET_MISMATCH = "invalid_exact_evm_asset_mismatch";
    static final String RECIPIENT_MISMATCH = "invalid_exact_evm_recipient_mismatch";
    static final String VALUE_MISMATCH = "invalid_exact_evm_payload_authorization_value_mismatch";
    static final String EXPIRED = "invalid_exact_evm_payload_authorization_valid_before";
    static final String NOT_YET_VALID = "invalid_exact_evm_payload_authorization_valid_after";
    static final String BAD_SIGNATURE = "invalid_exact_evm_signature";
    static final String NONCE_USED = "invalid_exact_evm_nonce_already_used";
    static final String INSUFFICIENT_BALANCE = "invalid_exact_evm_insufficient_balance";
    static final String SIMULATION_FAILED = "invalid_exact_evm_transaction_simulation_failed";
    static final String TRANSACTION_FAILED = "invalid_exact_evm_transaction_failed";

    private final TransactionSender relayer;
    private final long chainId;
    private final Map<Address, Address> receiptsByToken;
    /** (payer, nonce) pairs being settled now: a second settle of the same authorization is refused at once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param relayer         the account that sends settlements (and pays their gas)
     * @param receiptsByToken for each token whose payments should leave a receipt, its PaymentReceipts contract
     */
    public ExactFacilitator(TransactionSender relayer, Map<Address, Address> receiptsByToken) {
        this.relayer = Objects.requireNonNull(relayer, "relayer");
        this.chainId = relayer.client().chainId();
        this.receiptsByToken = Map.copyOf(receiptsByToken);
    }

    /**
     * A facilitator for a Hypha deployment: payments in its PaymentToken (hUSD) settle through its PaymentReceipts, so
     * each leaves the receipt a payer rates the agent with; other EIP-3009 tokens settle directly.
     */
    public static ExactFacilitator forDeployment(TransactionSender relayer, dev.hypha.chain.deploy.Deployment deployment) {
        return new ExactFacilitator(relayer, Map.of(
                Address.parse(deployment.address(dev.hypha.chain.deploy.PaymentTokenClient.NAME)),
                Address.parse(deployment.address(dev.hypha.chain.deploy.PaymentReceiptsClient.NAME))));
    }

    /** The chain this facilitator settles on. */
    public long chainId() {
        return chainId;
    }

    /** The relayer's address (x402's {@code signers} in {@code /supported}). */
    public Address relayer() {
        return Address.parse(relayer.address());
    }

    /** The networks it settles {@code exact} payments on (one: its chain). */
    public List<String> networks() {
        return List.of(X402.network(chainId));
    }

    /** Judges {@code payment} against {@code requirement} without moving money. */
    public VerifyResult verify(ExactPayment payment, ExactRequirement requirement) {
        Eip3009Authorization auth = payment.authorization();
        Address payer = auth.from();
        if (requirement.chainId() != chainId) {
            return VerifyResult.refused(NETWORK_MISMATCH, "this facilitator settles on " + X402.network(chainId)
                    + ", the requirement is on " + requirement.network(), payer);
        }
        ExactRequirement accepted = payment.accepted();
        if (accepted.chainId() != requirement.chainId()) {
            return VerifyResult.refused(NETWORK_MISMATCH, "the payment is for " + accepted.network() + ", the requirement is "
                    + requirement.network(), payer);
        }
        if (!accepted.asset().equals(requirement.asset()) || !accepted.tokenName().equals(requirement.tokenName())
                || !accepted.tokenVersion().equals(requirement.tokenVersion())) {
            return VerifyResult.refused(ASSET_MISMATCH, "the payment is in token " + accepted.asset().toChecksumString()
                    + " (" + X402Json.shorten(accepted.tokenName()) + "), the requirement asks for "
                    + requirement.asset().toChecksumString() + " (" + requirement.tokenName() + ")", payer);
        }
        if (!auth.to().equals(requirement.payTo()) || !accepted.payTo().equals(requirement.payTo())) {
            return VerifyResult.refused(RECIPIENT_MISMATCH, "the authorization pays " + auth.to().toChecksumString()
                    + ", the requirement's payTo is " + requirement.payTo().toChecksumString(), payer);
        }
        if (!auth.value().equals(requirement.amount()) || !accepted.amount().equals(requirement.amount())) {
            return VerifyResult.refused(VALUE_MISMATCH, "the authorization is for " + auth.value() + ", the price is exactly "
                    + requirement.amount(), payer);
        }
        BigInteger now = BigInteger.valueOf(chainTime());
        if (auth.validBefore().compareTo(now.add(BigInteger.valueOf(EXPIRY_MARGIN_SECONDS))) < 0) {
            return VerifyResult.refused(EXPIRED, "the authorization expired (validBefore " + auth.validBefore()
                    + ", chain time " + now + ", at least " + EXPIRY_MARGIN_SECONDS + " s of validity needed)", payer);
        }
        if (auth.validAfter().compareTo(now) > 0) {
            return VerifyResult.refused(NOT_YET_VALID, "the authorization is not valid yet (validAfter "
                    + auth.validAfter() + ", chain time " + now + ")", payer);
        }
        boolean contractPayer = hasCode(payer);
        if (!contractPayer && !signedBy(payment, requirement, payer)) {
            return VerifyResult.refused(BAD_SIGNATURE, "the signature is not " + payer.toChecksumString()
                    + "'s over this authorization in " + requirement.tokenName() + "'s EIP-712 domain on "
                    + requirement.network(), payer);
        }
        if (nonceUsed(requirement.asset(), payer, auth.nonce()) || inFlight.contains(key(payer, auth.nonce()))) {
            return VerifyResult.refused(NONCE_USED, "authorization nonce " + auth.nonce() + " of "
                    + payer.toChecksumString() + " was already used (a replay)", payer);
        }
        BigInteger balance = balanceOf(requirement.asset(), payer);
        if (balance.compareTo(auth.value()) < 0) {
            return VerifyResult.refused(INSUFFICIENT_BALANCE, payer.toChecksumString() + " holds " + balance
                    + ", less than the " + auth.value() + " authorized", payer);
        }
        try {
            relayer.call(settleCall(payment, requirement));
        } catch (ChainException e) {
            return VerifyResult.refused(SIMULATION_FAILED, "the transfer would fail: " + e.getMessage(), payer);
        }
        return VerifyResult.ok(payer);
    }

    /** Verifies, then moves the money on chain and waits for the transaction. */
    public Settlement settle(ExactPayment payment, ExactRequirement requirement) {
        Eip3009Authorization auth = payment.authorization();
        String payer = auth.from().toChecksumString();
        String network = requirement.network();
        VerifyResult verdict = verify(payment, requirement);
        if (!verdict.valid()) {
            return new Settlement(false, verdict.reason(), verdict.message(), payer, "", network, "");
        }
        String key = key(auth.from(), auth.nonce());
        if (!inFlight.add(key)) {
            return new Settlement(false, NONCE_USED, "authorization nonce " + auth.nonce() + " is being settled already",
                    payer, "", network, "");
        }
        try {
            TransactionReceipt receipt = relayer.send(settleCall(payment, requirement));
            return new Settlement(true, "", "", payer, receipt.getTransactionHash(), network, auth.value().toString());
        } catch (HyphaException e) {
            return new Settlement(false, TRANSACTION_FAILED, e.getMessage(), payer, "", network, "");
        } finally {
            inFlight.remove(key);
        }
    }

    private boolean signedBy(ExactPayment payment, ExactRequirement requirement, Address payer) {
        try {
            Signature signature = Signature.fromBytes(payment.signature());
            return Eip712.recoverSigner(payment.authorization().typedData(requirement), signature).equals(payer);
        } catch (HyphaException | IllegalArgumentException notValid) {
            return false;
        }
    }

    /** The transaction that settles: PaymentReceipts.settle for a token that has one, else the token itself. */
    private TxRequest settleCall(ExactPayment payment, ExactRequirement requirement) {
        Eip3009Authorization a = payment.authorization();
        @SuppressWarnings("rawtypes")
        List<Type> args = List.of(new org.web3j.abi.datatypes.Address(a.from().lowercaseHex()),
                new org.web3j.abi.datatypes.Address(a.to().lowercaseHex()), new Uint256(a.value()),
                new Uint256(a.validAfter()), new Uint256(a.validBefore()), new Bytes32(Hex.decode(a.nonce())),
                new DynamicBytes(payment.signature()));
        Optional<Address> receipts = Optional.ofNullable(receiptsByToken.get(requirement.asset()));
        if (receipts.isPresent()) {
            return TxRequest.call("PaymentReceipts", "settle", receipts.get().lowercaseHex(),
                    FunctionEncoder.encode(new Function("settle", args, List.of())));
        }
        return TxRequest.call("PaymentToken", "transferWithAuthorization", requirement.asset().lowercaseHex(),
                FunctionEncoder.encode(new Function("transferWithAuthorization", args, List.of())));
    }

    private boolean nonceUsed(Address token, Address payer, String nonce) {
        Function f = new Function("authorizationState", List.of(new org.web3j.abi.datatypes.Address(payer.lowercaseHex()),
                new Bytes32(Hex.decode(nonce))), List.of(new TypeReference<Bool>() {}));
        return ((Bool) readOne(token, f)).getValue();
    }

    private BigInteger balanceOf(Address token, Address who) {
        Function f = new Function("balanceOf", List.of(new org.web3j.abi.datatypes.Address(who.lowercaseHex())),
                List.of(new TypeReference<Uint256>() {}));
        return ((Uint256) readOne(token, f)).getValue();
    }

    @SuppressWarnings("rawtypes")
    private Type readOne(Address token, Function f) {
        String raw = relayer.call(TxRequest.call("PaymentToken", f.getName(), token.lowercaseHex(), FunctionEncoder.encode(f)));
        List<Type> out = FunctionReturnDecoder.decode(raw, f.getOutputParameters());
        if (out.isEmpty()) {
            throw HyphaException.input("token " + token.toChecksumString() + " answered " + f.getName()
                    + "() with nothing: is it an EIP-3009 token on " + X402.network(chainId) + "?");
        }
        return out.getFirst();
    }

    private boolean hasCode(Address a) {
        String code = relayer.client().code(a.lowercaseHex());
        return code != null && !code.equals("0x");
    }

    private long chainTime() {
        return relayer.client().latestBlock().getTimestamp().longValueExact();
    }

    private static String key(Address payer, String nonce) {
        return payer.lowercaseHex() + nonce;
    }
}
