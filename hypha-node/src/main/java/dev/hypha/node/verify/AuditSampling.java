package dev.hypha.node.verify;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.train.verify.SegmentSampler;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Which committed segments this verifier replays: segment i of a lease is audited when hypha-ml's
 * {@link SegmentSampler} says so for the beacon keccak256(secret ‖ root_i), where secret is 32 random bytes only this
 * verifier knows and root_i the commitment that ends the segment.
 *
 * <p>Why the provider cannot predict or steer the choice: root_i is on chain before anyone samples it, and the choice
 * is a keccak of it with a secret the provider never sees (the verifier reveals nothing when a segment matches; a
 * challenge reveals only that one segment was picked). A provider that cheats in a segment must commit its root first,
 * and cannot test other roots against the sampler without the secret, so each wrong segment is caught with
 * probability exactly the rate, independently for each verifier (their secrets and addresses differ), so with v
 * verifiers at rate r a cheat in m segments escapes with probability (1 - r)^(m·v). A later block hash would do
 * as well against a provider, but not against one that is also the block producer; the secret costs nothing.
 * The verifier gains nothing by picking differently: a challenge stands or falls by re-execution, not by the sample.
 */
public final class AuditSampling {
    private final byte[] secret;
    private final int ratePerMille;

    /** @param ratePerMille audit probability in thousandths, 0 (referee only, no audits) to 1000 (every segment) */
    public AuditSampling(byte[] secret, int ratePerMille) {
        if (secret.length != 32) {
            throw new IllegalArgumentException("the sampling secret has 32 bytes, got " + secret.length);
        }
        if (ratePerMille < 0 || ratePerMille > 1000) {
            throw HyphaException.input("the audit rate is 0..1000 per mille, got " + ratePerMille);
        }
        this.secret = secret.clone();
        this.ratePerMille = ratePerMille;
    }

    /** The sampling of the secret in {@code file}, made (32 random bytes, owner-only) on first use. */
    public static AuditSampling load(Path file, int ratePerMille) {
        try {
            if (!Files.isRegularFile(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Files.createDirectories(file.toAbsolutePath().getParent());
                DurableFiles.replace(file, fresh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            byte[] secret = Files.readAllBytes(file);
            if (secret.length != 32) {
                throw HyphaException.input("the sampling secret " + file + " has " + secret.length + " bytes, not 32; "
                        + "remove it to make a new one");
            }
            return new AuditSampling(secret, ratePerMille);
        } catch (IOException e) {
            throw HyphaException.io("cannot read or make the sampling secret " + file + ": " + e.getMessage(), e);
        }
    }

    public int ratePerMille() {
        return ratePerMille;
    }

    /** Whether {@code verifier} audits segment {@code index} (1-based) of lease {@code order}, which ends at {@code root}. */
    public boolean audits(Address verifier, BigInteger order, long index, byte[] root) {
        if (ratePerMille == 0) {
            return false;
        }
        byte[] beacon = Hashes.keccak256(ByteBuffer.allocate(64).put(secret).put(root).array());
        return new SegmentSampler(beacon, verifier.bytes(), order.longValueExact(), ratePerMille).audits(index);
    }
}
