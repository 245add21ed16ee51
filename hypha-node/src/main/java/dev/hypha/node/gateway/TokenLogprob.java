package dev.hypha.node.gateway;

import java.util.List;

/**
 * One generated token with its log-probability (natural log, under the distribution the sampler drew from before
 * any truncation: the model's softmax at the request's temperature) and the most likely alternatives.
 *
 * @param token   the token's text (bytes that are not whole UTF-8 characters become U+FFFD)
 * @param bytes   the token's bytes
 * @param logprob its log-probability
 * @param top     the most likely tokens at that position, most likely first, as many as asked for
 */
public record TokenLogprob(String token, byte[] bytes, double logprob, List<Alternative> top) {
    public TokenLogprob {
        top = List.copyOf(top);
    }

    /** A token that could have come at that position. */
    public record Alternative(String token, byte[] bytes, double logprob) {}
}
