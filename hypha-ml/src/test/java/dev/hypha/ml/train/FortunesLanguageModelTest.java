package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A decoder trained on Debian's fortunes learns from context: its held-out loss falls well below the untrained
 * model's and below the unigram distribution's (which knows token frequencies but no context). Slow (minutes).
 */
@Tag("slow")
class FortunesLanguageModelTest {
    @Test
    void heldOutLossFallsBelowTheUnigramBaseline() {
        FortunesLanguageModel.Curve curve = FortunesLanguageModel.train(600, 100, 2, true);
        assertThat(curve.first()).as("untrained: about log(vocab)").isGreaterThan(curve.unigram());
        assertThat(curve.last()).as("held-out loss after training vs the unigram baseline %s", curve.unigram())
                .isLessThan(curve.unigram() - 0.3f);
    }
}
