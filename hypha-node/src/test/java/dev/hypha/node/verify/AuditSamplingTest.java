package dev.hypha.node.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier's sampling: a secret of its own, the committed root, the rate as a fraction, bad input refused. */
class AuditSamplingTest {
    private static final Address VERIFIER = Address.parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");

    @TempDir
    Path dir;

    private static byte[] root(long i) {
        return Hashes.keccak256(ByteBuffer.allocate(8).putLong(i).array());
    }

    @Test
    void theSecretIsMadeOnceOwnerOnlyAndKept() throws Exception {
        Path file = dir.resolve("verifier").resolve("secret");
        AuditSampling first = AuditSampling.load(file, 500);
        byte[] secret = Files.readAllBytes(file);
        assertThat(secret).hasSize(32);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE));
        AuditSampling again = AuditSampling.load(file, 500);
        assertThat(Files.readAllBytes(file)).isEqualTo(secret);
        for (long i = 1; i < 50; i++) {
            assertThat(again.audits(VERIFIER, BigInteger.ONE, i, root(i))).isEqualTo(first.audits(VERIFIER, BigInteger.ONE, i, root(i)));
        }
        Files.write(file, new byte[7]);
        assertThatThrownBy(() -> AuditSampling.load(file, 500)).isInstanceOf(HyphaException.class).hasMessageContaining("not 32");
    }

    @Test
    void theRateIsTheShareOfSegmentsPickedAndAnotherSecretOrRootPicksOthers() {
        AuditSampling a = new AuditSampling(new byte[32], 250);
        byte[] other = new byte[32];
        other[0] = 1;
        AuditSampling b = new AuditSampling(other, 250);
        int picked = 0;
        int differ = 0;
        int n = 4000;
        for (long i = 1; i <= n; i++) {
            boolean pa = a.audits(VERIFIER, BigInteger.TWO, i, root(i));
            picked += pa ? 1 : 0;
            differ += pa != b.audits(VERIFIER, BigInteger.TWO, i, root(i)) ? 1 : 0;
        }
        // binomial(4000, 0.25): mean 1000, sd 27.4; 4 sd either side
        assertThat(picked).isBetween(890, 1110);
        // two independent 25 % samples disagree with probability 2 x 0.25 x 0.75 = 0.375
        assertThat(differ).isBetween(1350, 1650);
        int rootChanged = 0;
        for (long i = 1; i <= 400; i++) {
            rootChanged += a.audits(VERIFIER, BigInteger.TWO, 7, root(i)) ? 1 : 0;
        }
        assertThat(rootChanged).as("the choice for one segment follows its committed root").isBetween(40, 160);
    }

    @Test
    void rateZeroNeverAuditsAThousandAlwaysAndOthersAreRefused() {
        AuditSampling none = new AuditSampling(new byte[32], 0);
        AuditSampling all = new AuditSampling(new byte[32], 1000);
        for (long i = 1; i < 200; i++) {
            assertThat(none.audits(VERIFIER, BigInteger.TEN, i, root(i))).isFalse();
            assertThat(all.audits(VERIFIER, BigInteger.TEN, i, root(i))).isTrue();
        }
        assertThatThrownBy(() -> new AuditSampling(new byte[32], 1001)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("0..1000");
        assertThatThrownBy(() -> new AuditSampling(new byte[32], -1)).isInstanceOf(HyphaException.class);
        assertThatThrownBy(() -> new AuditSampling(new byte[31], 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
