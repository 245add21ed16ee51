package dev.hypha.node.provider;

import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import java.util.List;

/**
 * DEVELOPMENT AND TEST ONLY (`hypha provider start --dev-cheat cached-answers`, refused except for a dev account on the
 * local chain): an inference provider that saves its compute by answering every prompt as if it were one fixed prompt,
 * a cached answer, still charging and signing receipts for what it sends. It lets the inference subnet's answer
 * scoring be seen to catch a cheater: the answers are well-formed and paid, but differ from a replay.
 */
public final class DevCachedAnswers extends ForwardingBackend {
    /** The one prompt every request is answered as. */
    public static final Prompt CACHED = new Prompt.Chat(List.of(new Prompt.Message("user", "hello")));

    public DevCachedAnswers(InferenceBackend engine) {
        super(engine);
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        return engine.generate(call.withPrompt(CACHED, call.maxTokens()), sink);
    }
}
