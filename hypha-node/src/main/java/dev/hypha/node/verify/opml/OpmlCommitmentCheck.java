package dev.hypha.node.verify.opml;

import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.chain.opml.OpmlReceipt;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.Prompt;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.web3j.utils.Numeric;

/**
 * Whether a bought answer carries the opML commitment a payer may accept: an answer of a verifiable model
 * ({@link IntLmModels}) must carry one, and it must be one {@code OpmlVerifier.challenge} takes and a replay checks
 * against this very answer, or a cheating provider would be paid and could never be slashed. So it must name this
 * request (its hash) and the provider paid, commit to the named model's weight root, to the prompt sent and the text
 * received, and be signed (EIP-712, domain "Hypha OpmlVerifier", low-s, v 27/28 as the contract's ECDSA wants) by the
 * provider's registered signing key. Any other model's answer must come without one.
 */
public final class OpmlCommitmentCheck {
    private final Address provider;
    private final Address signingKey;
    private final long chainId;
    private final Optional<Address> verifier;

    /**
     * @param provider   the provider paid (the receipt must name it)
     * @param signingKey its registered signing key (what the contract recovers the signature to)
     * @param verifier   OpmlVerifier's address; empty where the deployment has none (verifiable answers are refused)
     */
    public OpmlCommitmentCheck(Address provider, Address signingKey, long chainId, Optional<Address> verifier) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
        this.chainId = chainId;
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    /**
     * Why the answer's commitment (or its absence) is not acceptable; empty when it is.
     *
     * @param model    the model the request named
     * @param prompt   the request's prompt (empty for a request without one, such as embeddings)
     * @param body     the request body sent (its keccak is the receipt's request id)
     * @param received the answer's bytes as received (UTF-8 text)
     */
    public Optional<String> problem(String model, Optional<Prompt> prompt, byte[] body,
            Optional<OpmlCommitment> commitment, byte[] received) {
        Optional<IntLm> verifiable = IntLmModels.named(model);
        if (commitment.isEmpty()) {
            return verifiable.isEmpty() ? Optional.empty() : Optional.of("its answer of the verifiable model " + model
                    + " came without an opML commitment, so it could never be challenged");
        }
        if (verifiable.isEmpty()) {
            return Optional.of("it attached an opML commitment to an answer of " + model + ", which is not a verifiable "
                    + "model (" + IntLmModels.PREFIX + "SEED)");
        }
        OpmlCommitment c = commitment.get();
        OpmlReceipt r = c.receipt();
        if (!Arrays.equals(r.requestId(), Hashes.keccak256(body))) {
            return Optional.of("its request id is not this request's hash");
        }
        if (!r.provider().equals(provider)) {
            return Optional.of("it names provider " + r.provider().toChecksumString() + ", not the one paid, "
                    + provider.toChecksumString());
        }
        byte[] root = verifiable.get().weights().root();
        if (!Arrays.equals(r.modelRoot(), root)) {
            return Optional.of("it commits to model root " + Numeric.toHexString(r.modelRoot()) + ", not " + model
                    + "'s weight root " + Numeric.toHexString(root));
        }
        if (prompt.isEmpty()) {
            return Optional.of("a verifiable model answers only prompts, and this request had none");
        }
        byte[] sent;
        try {
            sent = IntLmText.prompt(prompt.get());
        } catch (GatewayException e) {
            return Optional.of("the request's prompt has no byte tokens (" + e.getMessage() + "), yet it was answered");
        }
        if (!Arrays.equals(c.prompt(), sent)) {
            return Optional.of("its prompt is not the one sent");
        }
        byte[] text = IntLmText.text(c.output()).getBytes(StandardCharsets.UTF_8);
        if (!Arrays.equals(text, received)) {
            return Optional.of("its output is not the answer received");
        }
        return signatureProblem(r, c.signature());
    }

    private Optional<String> signatureProblem(OpmlReceipt r, byte[] signature) {
        if (verifier.isEmpty()) {
            return Optional.of("this deployment has no OpmlVerifier, so no opML commitment can be checked or challenged");
        }
        int v = signature[64] & 0xFF;
        Address signer;
        try {
            if (v != 27 && v != 28) {
                return Optional.of("its signature's v is " + v + ", not 27 or 28 (the verifier would refuse it)");
            }
            signer = Eip712.recoverFromHash(r.digest(chainId, verifier.get()), Signature.fromBytes(signature));
        } catch (HyphaException e) {
            return Optional.of("its signature is not valid: " + e.getMessage());
        }
        if (!signer.equals(signingKey)) {
            return Optional.of("it is signed by " + signer.toChecksumString() + ", not the provider's registered signing "
                    + "key " + signingKey.toChecksumString() + " (OpmlVerifier " + verifier.get().toChecksumString()
                    + ", chain " + chainId + ")");
        }
        return Optional.empty();
    }
}
