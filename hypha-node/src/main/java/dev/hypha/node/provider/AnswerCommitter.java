package dev.hypha.node.provider;

import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import java.util.Optional;

/**
 * A backend whose answers of some models carry a commitment beyond the payment receipt: for a verifiable (IntLm) model,
 * the signed opML receipt of its output and trace root ({@code verify.opml.OpmlBackend}). {@link ProviderRoutes} asks
 * after each generation and attaches what it gets to the receipt it signs.
 */
public interface AnswerCommitter {
    /**
     * The commitment to {@code answer} of {@code call}, kept durably by the provider (to defend it in a dispute) before
     * it is returned; empty for a model that has none.
     *
     * @param requestHash keccak-256 of the request body: the payment receipt's request hash, the opML receipt's id
     */
    Optional<OpmlCommitment> commit(GenerateCall call, Completion answer, byte[] requestHash);
}
