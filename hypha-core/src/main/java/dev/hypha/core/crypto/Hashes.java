package dev.hypha.core.crypto;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.web3j.crypto.Hash;

/** The two hash functions Hypha uses: Keccak-256 (Ethereum) and SHA-256 (content ids, file digests). */
public final class Hashes {
    /** Bytes read per step when hashing a stream: large enough to be fast, small enough to keep memory flat. */
    private static final int STREAM_BUFFER = 64 * 1024;

    private Hashes() {}

    /** Keccak-256 as Ethereum uses it (the pre-standard padding, not NIST SHA3-256). */
    public static byte[] keccak256(byte[] data) {
        return Hash.sha3(data);
    }

    /** SHA-256 of a byte array. */
    public static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    /** SHA-256 of everything left in the stream, read in small steps. The stream is not closed. */
    public static byte[] sha256(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[STREAM_BUFFER];
        for (int n; (n = in.read(buffer)) != -1; ) {
            digest.update(buffer, 0, n);
        }
        return digest.digest();
    }

    /**
     * SHA-256 of a file's content, streamed.
     *
     * @throws HyphaException (NOT_FOUND or IO) naming the file when it cannot be read
     */
    public static byte[] sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A fresh SHA-256 digest; every JDK ships SHA-256, so a missing one is a broken runtime. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("this JVM has no SHA-256", e));
        }
    }
}
