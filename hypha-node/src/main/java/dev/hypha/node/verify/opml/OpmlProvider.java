package dev.hypha.node.verify.opml;

import dev.hypha.chain.opml.OpmlReceipt;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.opml.IntLm;
import dev.hypha.ml.opml.Trace;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;

/**
 * A provider of verifiable inference: runs the IntLm model, traces the generation and signs a receipt committing to
 * the trace root with its registered signing key. What it claims and what it runs are separate on purpose (a
 * provider may claim one model and run another); {@link #honest} makes them the same.
 */
public final class OpmlProvider {
    private final Address provider;
    private final Credentials signingKey;
    private final IntLm runs;
    private final byte[] claimedModel;
    private final long chainId;
    private final Address verifier;

    public OpmlProvider(Address provider, Credentials signingKey, IntLm runs, byte[] claimedModel, long chainId,
            Address verifier) {
        this.provider = provider;
        this.signingKey = signingKey;
        this.runs = runs;
        this.claimedModel = claimedModel.clone();
        this.chainId = chainId;
        this.verifier = verifier;
    }

    /** The model it really runs. */
    public IntLm runs() {
        return runs;
    }

    /** A provider that runs the model it claims. */
    public static OpmlProvider honest(Address provider, Credentials signingKey, IntLm model, long chainId,
            Address verifier) {
        return new OpmlProvider(provider, signingKey, model, model.weights().root(), chainId, verifier);
    }

    /** Generates {@code outputLength} tokens after {@code prompt} and answers with a signed receipt. */
    public OpmlAnswer answer(byte[] prompt, int outputLength, long seed, byte[] requestId) {
        byte[] output = runs.generate(prompt, outputLength, seed);
        return answerWith(prompt, output, seed, requestId);
    }

    /**
     * Answers with {@code output} whatever the model would say (a cached or made-up answer), traced honestly: the
     * trace then shows the model disagreeing with the output.
     */
    public OpmlAnswer answerWith(byte[] prompt, byte[] output, long seed, byte[] requestId) {
        return sign(prompt, output, runs.trace(prompt, output, seed), requestId);
    }

    /** Answers with {@code output} and a trace of its own making (a provider that lies about its computation). */
    public OpmlAnswer sign(byte[] prompt, byte[] output, Trace trace, byte[] requestId) {
        OpmlReceipt receipt = OpmlReceipt.of(provider, claimedModel, prompt, output, trace.seed(), trace.root(), requestId);
        Sign.SignatureData sig = Sign.signMessage(receipt.digest(chainId, verifier), signingKey.getEcKeyPair(), false);
        byte[] signature = new byte[65];
        System.arraycopy(sig.getR(), 0, signature, 0, 32);
        System.arraycopy(sig.getS(), 0, signature, 32, 32);
        signature[64] = sig.getV()[0];
        return new OpmlAnswer(prompt.clone(), output.clone(), receipt, signature, trace);
    }
}
