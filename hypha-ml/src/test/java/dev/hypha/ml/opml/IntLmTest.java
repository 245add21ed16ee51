package dev.hypha.ml.opml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IntLmTest {
    private static final IntLm MODEL = new IntLm(IntLmWeights.random(1));
    private static final byte[] PROMPT = "hello".getBytes(StandardCharsets.US_ASCII);

    @Example
    void generationIsDeterministicAndItsTraceAgreesWithItsOutput() {
        byte[] out = MODEL.generate(PROMPT, 6, 42);
        assertThat(new IntLm(IntLmWeights.random(1)).generate(PROMPT, 6, 42)).isEqualTo(out);
        Trace t = MODEL.trace(PROMPT, out, 42);
        assertThat(t.firstOutputMismatch()).isEqualTo(-1);
        assertThat(t.positions()).isEqualTo(10);
        assertThat(t.depth()).as("16 positions x 32 leaves").isEqualTo(9);
        assertThat(MODEL.trace(PROMPT, out, 42).root()).isEqualTo(t.root());
    }

    @Example
    void aWrongOutputShowsInTheTracesSampleLeaves() {
        byte[] out = MODEL.generate(PROMPT, 4, 0);
        out[2] ^= 0x20;
        assertThat(MODEL.trace(PROMPT, out, 0).firstOutputMismatch()).isEqualTo(PROMPT.length - 1 + 2);
    }

    @Example
    void anotherModelOrATruncatedOneGivesAnotherRoot() {
        byte[] out = MODEL.generate(PROMPT, 4, 0);
        byte[] root = MODEL.trace(PROMPT, out, 0).root();
        assertThat(new IntLm(IntLmWeights.random(2)).trace(PROMPT, out, 0).root()).isNotEqualTo(root);
        assertThat(IntLm.truncated(MODEL.weights(), 1).trace(PROMPT, out, 0).root()).isNotEqualTo(root);
        assertThat(MODEL.trace(PROMPT, out, 1).root()).as("the seed is part of the computation").isNotEqualTo(root);
    }

    @Example
    void operationsReadOnlyEarlierLeaves() {
        Trace t = MODEL.trace(PROMPT, MODEL.generate(PROMPT, 3, 0), 0);
        for (long i = 0; i < 32L * 8; i++) {
            Operation op = Operation.at(i, t.positions());
            assertThat(op.inputA()).isLessThan(i);
            assertThat(op.inputB()).isLessThan(i);
            if (op.kind() == Operation.Kind.PAD) {
                assertThat(t.outputAt(i)).isNull();
            } else {
                assertThat(t.outputAt(i)).as("leaf %d", i).isNotNull();
            }
        }
        assertThat(Operation.at(Trace.sampleLeaf(2), t.positions()).kind()).isEqualTo(Operation.Kind.SAMPLE);
    }

    @Example
    void weightRootIsStableAndRowsAreProven() {
        IntLmWeights w = IntLmWeights.random(1);
        assertThat(IntLmWeights.of(w.rows()).root()).isEqualTo(w.root());
        assertThat(w.proof(IntLmWeights.headRow(255))).hasSize(IntLmWeights.DEPTH);
        assertThat(w.row(IntLmWeights.w2Row(1, 0))).hasSize(IntLm.F);
    }

    @Example
    void lengthsOutsideTheVerifiableRangeAreRefusedByName() {
        assertThatThrownBy(() -> MODEL.generate(new byte[0], 3, 0)).hasMessageContaining("prompt 0");
        assertThatThrownBy(() -> MODEL.generate(PROMPT, 29, 0)).hasMessageContaining("at most 32 positions");
    }

    @Example
    void integerHelpersMatchTheContractsRounding() {
        assertThat(IntLm.isqrt(16383)).isEqualTo(127);
        assertThat(IntLm.isqrt(16384)).isEqualTo(128);
        assertThat(IntLm.clamp(-129)).isEqualTo((byte) -128);
        assertThat(-7 >> 1).as("shifts floor, as Solidity's signed >>").isEqualTo(-4);
        assertThat(-7 / 2).as("division truncates, as Solidity's signed /").isEqualTo(-3);
    }

    @Property(tries = 30)
    void everyGeneratedOutputIsConsistentWithItsTrace(@ForAll("prompts") byte[] prompt, @ForAll long seed) {
        byte[] out = MODEL.generate(prompt, 3, seed);
        assertThat(MODEL.trace(prompt, out, seed).firstOutputMismatch()).isEqualTo(-1);
    }

    @Provide
    Arbitrary<byte[]> prompts() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12);
    }
}
