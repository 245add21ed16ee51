package dev.hypha.zk.mlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The proof files the Solidity verifier's forge tests read (contracts/test/zk/fixtures): made by the Java prover from
 * seeded random models, so they are reproducible. Each is checked here to verify in Java and to equal what the prover
 * makes today; with {@code -Dzk.writeFixtures=true} the files are (re)written instead — after a deliberate change of
 * the prover or the format.
 */
class SolidityFixturesTest {
    private static final Path DIR = Path.of("..", "contracts", "test", "zk", "fixtures");

    /** name, seed, layer sides, relu. */
    private record Fixture(String name, long seed, int[] sides, boolean relu) {}

    private static final Fixture[] FIXTURES = {
        new Fixture("small-relu", 11, new int[] {12, 8, 4}, true),
        new Fixture("two-hidden", 12, new int[] {10, 6, 5, 3}, false),
        new Fixture("one-layer", 13, new int[] {9, 4}, true),
        // the Fashion-MNIST MLP's shape: what the gas figure in bench/README.md is for
        new Fixture("fashion-mnist-shape", 14, new int[] {784, 256, 10}, true),
    };

    @Test
    void fixturesAreTheProversOutputAndVerify() throws Exception {
        boolean write = Boolean.getBoolean("zk.writeFixtures");
        for (Fixture f : FIXTURES) {
            SplittableRandom rng = new SplittableRandom(f.seed());
            Int8Mlp model = RandomMlps.random(rng, f.sides(), f.relu());
            byte[] image = RandomMlps.image(rng, f.sides()[0]);
            MlpProver.Result r = MlpProver.prove(model, "fixture-" + f.name(), image, s -> { });
            byte[] bytes = new MlpProofFile(r.statement(), r.proof()).encode();
            MlpVerifier.verify(r.statement(), r.proof());
            Path file = DIR.resolve(f.name() + ".proof");
            if (write) {
                Files.createDirectories(DIR);
                Path tmp = DIR.resolve(f.name() + ".proof.tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                assertThat(Files.readAllBytes(file)).as(file + " (rewrite with -Dzk.writeFixtures=true)").isEqualTo(bytes);
            }
        }
    }

    /**
     * The Java half of the agreement with the Solidity verifier: the tampered proofs that
     * {@code MlpProofVerifier.t.sol test_rejectsTheSameTamperedProofsAsJava} feeds to the contract (byte i·len/64 + 7
     * XOR 0x01 of each fixture file, i < 64) are rejected here by the decoder or {@link MlpVerifier}, and the untampered
     * files verify — so on these inputs both verifiers give the same verdict.
     */
    @Test
    void javaRejectsTheTamperedProofsTheContractRejects() throws Exception {
        for (Fixture f : FIXTURES) {
            byte[] proof = Files.readAllBytes(DIR.resolve(f.name() + ".proof"));
            assertThat(accepts(proof)).as(f.name()).isTrue();
            for (int i = 0; i < 64; i++) {
                int at = (int) ((long) i * proof.length / 64) + 7;
                proof[at] ^= 1;
                assertThat(accepts(proof)).as(f.name() + ": byte " + at + " changed").isFalse();
                proof[at] ^= 1;
            }
        }
    }

    private static boolean accepts(byte[] bytes) {
        try {
            MlpProofFile file = MlpProofFile.decode(bytes);
            MlpVerifier.verify(file.statement(), file.proof());
            return true;
        } catch (IllegalArgumentException | dev.hypha.zk.circuit.Rejected e) {
            return false;
        }
    }
}
