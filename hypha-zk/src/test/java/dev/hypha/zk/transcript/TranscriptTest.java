package dev.hypha.zk.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TranscriptTest {
    @Test
    void sameOperationsGiveSameChallenges() {
        Transcript a = new Transcript("test");
        Transcript b = new Transcript("test");
        a.absorbFields("x", 1, 2, 3);
        b.absorbFields("x", 1, 2, 3);
        assertThat(a.challengeExt("c")).isEqualTo(b.challengeExt("c"));
        assertThat(a.challengeExt("c")).isEqualTo(b.challengeExt("c"));
    }

    @Test
    void everyInputSeparatesTheChallenges() {
        Ext2 base = challengeAfter("test", "x", new long[] {1, 2});
        assertThat(challengeAfter("test2", "x", new long[] {1, 2})).isNotEqualTo(base);
        assertThat(challengeAfter("test", "y", new long[] {1, 2})).isNotEqualTo(base);
        assertThat(challengeAfter("test", "x", new long[] {1, 3})).isNotEqualTo(base);
        assertThat(challengeAfter("test", "x", new long[] {1, 2, 0})).isNotEqualTo(base);
    }

    /** Length prefixes: moving a byte between the label and the data changes the hash. */
    @Test
    void labelAndDataBoundariesMatter() {
        Transcript a = new Transcript("t");
        a.absorbBytes("ab", new byte[] {'c'});
        Transcript b = new Transcript("t");
        b.absorbBytes("a", new byte[] {'b', 'c'});
        assertThat(a.state()).isNotEqualTo(b.state());
    }

    @Test
    void successiveChallengesDiffer() {
        Transcript t = new Transcript("t");
        assertThat(t.challengeExt("c")).isNotEqualTo(t.challengeExt("c"));
    }

    /** The byte layout a Solidity verifier replays, recomputed by hand from the documented formula. */
    @Test
    void layoutIsTheDocumentedOne() {
        Transcript t = new Transcript("dom");
        byte[] s0 = Hashes.keccak256("hypha.zk.transcript.v1dom".getBytes(StandardCharsets.US_ASCII));
        assertThat(t.state()).isEqualTo(s0);
        t.absorbFields("L", 5);
        byte[] s1 = Hashes.keccak256(HexFormat.of().parseHex(HexFormat.of().formatHex(s0)
                + "01" + "00000001" + "4c" + "00000008" + "0000000000000005"));
        assertThat(t.state()).isEqualTo(s1);
        Ext2 c = t.challengeExt("C");
        byte[] out = Hashes.keccak256(HexFormat.of().parseHex(HexFormat.of().formatHex(s1) + "02" + "00000001" + "43"));
        assertThat(t.state()).isEqualTo(out);
        assertThat(c.c0()).isEqualTo(Goldilocks.reduce128(Transcript.getLong(out, 0), Transcript.getLong(out, 8)));
        assertThat(c.c1()).isEqualTo(Goldilocks.reduce128(Transcript.getLong(out, 16), Transcript.getLong(out, 24)));
    }

    /**
     * The vector contracts/test/zk/ZkTranscript.t.sol replays with the Solidity library: both sides pin the same
     * challenges, so the Java prover and an on-chain verifier agree on the transcript.
     */
    @Test
    void solidityVectorReplays() {
        Transcript t = new Transcript("hypha.zk.test-vector");
        t.absorbFields("x", 1, 2, Goldilocks.P - 1);
        t.absorbExt("e", new Ext2(3, 4));
        t.absorbDigest("d", new byte[32]);
        assertThat(t.challengeExt("c")).isEqualTo(new Ext2(Long.parseUnsignedLong("9094999743619310446"),
                Long.parseUnsignedLong("4118825813858198062")));
        assertThat(t.challengeExt("c")).isEqualTo(new Ext2(Long.parseUnsignedLong("4545065838656194749"),
                Long.parseUnsignedLong("7836769145246901646")));
        assertThat(t.challengeIndices("q", 5, 1024)).containsExactly(461, 641, 243, 213, 1019);
        assertThat(HexFormat.of().formatHex(t.state()))
                .isEqualTo("e76bd45ee13cd3fb4b6093a98a9b73038da7674d02b67955cfd2d376074c7689");
    }

    @Test
    void indicesStayInTheDomainAndCoverIt() {
        Transcript t = new Transcript("t");
        int[] idx = t.challengeIndices("q", 4000, 16);
        int[] counts = new int[16];
        for (int i : idx) {
            assertThat(i).isBetween(0, 15);
            counts[i]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(150, 350); // 250 expected each; far outside is a broken sampler, not bad luck
        }
    }

    private static Ext2 challengeAfter(String domain, String label, long[] values) {
        Transcript t = new Transcript(domain);
        t.absorbFields(label, values);
        return t.challengeExt("c");
    }
}
