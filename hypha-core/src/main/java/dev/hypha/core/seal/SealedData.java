package dev.hypha.core.seal;

import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A file encrypted for its owner: ChaCha20-Poly1305 over fixed-size chunks (the STREAM construction), so a file of any
 * size is sealed and opened in bounded memory and every chunk is authenticated before it is used.
 *
 * <pre>
 * header  "HYPHASD1" | chunk size (u32, big-endian) | plaintext length (u64)          20 bytes
 * chunk i ciphertext of plaintext bytes [i*chunk, min((i+1)*chunk, length)) + 16-byte tag
 * </pre>
 * Each chunk's nonce is its index (the key is drawn fresh for every file, so no nonce repeats under a key) and its
 * associated data is the whole header, the index and whether it is the last chunk: changing the header, dropping,
 * duplicating, reordering or truncating chunks, or appending data all fail to open. An empty file is one empty last
 * chunk, so it too is authenticated. The sealed bytes depend only on the plaintext and the key, so they have one
 * content id.
 */
public final class SealedData {
    /** Default chunk: 1 MiB of plaintext. */
    public static final int DEFAULT_CHUNK = 1 << 20;
    public static final int MIN_CHUNK = 1 << 10;
    public static final int MAX_CHUNK = 16 << 20;
    /** Largest plaintext (1 PiB): bounds what a header can make a reader expect. */
    public static final long MAX_LENGTH = 1L << 50;
    static final int HEADER_BYTES = 20;
    static final int TAG_BYTES = 16;
    private static final byte[] MAGIC = {'H', 'Y', 'P', 'H', 'A', 'S', 'D', '1'};

    private SealedData() {}

    /** The sealed size of {@code length} plaintext bytes in chunks of {@code chunk}. */
    public static long sealedLength(long length, int chunk) {
        return HEADER_BYTES + length + (long) TAG_BYTES * chunks(length, chunk);
    }

    /**
     * Seals exactly {@code length} bytes of {@code plain} to {@code out}.
     *
     * @throws IOException when {@code plain} ends early or the streams fail
     */
    public static void seal(InputStream plain, long length, OutputStream out, DataKey key, int chunk) throws IOException {
        checkChunk(chunk);
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be 0 to " + MAX_LENGTH + ", was " + length);
        }
        byte[] header = header(chunk, length);
        out.write(header);
        long count = chunks(length, chunk);
        byte[] buffer = new byte[chunk];
        for (long i = 0; i < count; i++) {
            int n = (int) Math.min(chunk, length - i * chunk);
            int read = plain.readNBytes(buffer, 0, n);
            if (read < n) {
                throw new IOException("the input ended after " + (i * chunk + read) + " of " + length + " bytes");
            }
            out.write(crypt(Cipher.ENCRYPT_MODE, key, header, i, i == count - 1, buffer, n));
        }
    }

    /**
     * Opens sealed data, writing the plaintext chunk by chunk as each is authenticated. When it throws, what was
     * written already must be discarded ({@link #openFile} does that).
     *
     * @throws SealException when the data is malformed, tampered with, truncated or sealed under another key
     */
    public static void open(InputStream sealed, OutputStream plain, DataKey key) throws IOException {
        byte[] header = sealed.readNBytes(HEADER_BYTES);
        if (header.length < HEADER_BYTES || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SealException("not sealed data (no HYPHASD1 header)");
        }
        ByteBuffer h = ByteBuffer.wrap(header, MAGIC.length, HEADER_BYTES - MAGIC.length);
        int chunk = h.getInt();
        long length = h.getLong();
        if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) {
            throw new SealException("sealed data names a chunk of " + Integer.toUnsignedString(chunk) + " bytes; "
                    + MIN_CHUNK + " to " + MAX_CHUNK + " are valid");
        }
        if (length < 0 || length > MAX_LENGTH) {
            throw new SealException("sealed data names a length of " + Long.toUnsignedString(length) + " bytes; at most "
                    + MAX_LENGTH);
        }
        long count = chunks(length, chunk);
        byte[] buffer = new byte[chunk + TAG_BYTES];
        for (long i = 0; i < count; i++) {
            int n = (int) Math.min(chunk, length - i * chunk) + TAG_BYTES;
            if (sealed.readNBytes(buffer, 0, n) < n) {
                throw new SealException("sealed data is truncated: chunk " + i + " of " + count + " is incomplete");
            }
            plain.write(crypt(Cipher.DECRYPT_MODE, key, header, i, i == count - 1, buffer, n));
        }
        if (sealed.read() >= 0) {
            throw new SealException("sealed data has bytes after its last chunk");
        }
    }

    /** Seals a file into {@code sealed}, which appears whole or not at all ({@link DurableFiles#replace}). */
    public static void sealFile(Path plain, Path sealed, DataKey key) throws IOException {
        long length = Files.size(plain);
        DurableFiles.replace(sealed, out -> {
            try (InputStream in = Files.newInputStream(plain)) {
                seal(in, length, out, key, DEFAULT_CHUNK);
            }
        });
    }

    /** Opens a sealed file into {@code plain}, which appears only once every chunk has been authenticated. */
    public static void openFile(Path sealed, Path plain, DataKey key) throws IOException {
        DurableFiles.replace(plain, out -> {
            try (InputStream in = Files.newInputStream(sealed)) {
                open(in, out, key);
            }
        });
    }

    private static byte[] crypt(int mode, DataKey key, byte[] header, long index, boolean last, byte[] data, int n)
            throws SealException {
        byte[] nonce = ByteBuffer.allocate(12).putInt(0).putLong(index).array();
        byte[] aad = ByteBuffer.allocate(HEADER_BYTES + 9).put(header).putLong(index).put((byte) (last ? 1 : 0)).array();
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(mode, new SecretKeySpec(key.bytes(), "ChaCha20"), new IvParameterSpec(nonce));
            c.updateAAD(aad);
            return c.doFinal(data, 0, n);
        } catch (AEADBadTagException e) {
            throw new SealException("chunk " + index + " of the sealed data does not authenticate: it was changed, "
                    + "moved or cut, or it is sealed under another key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 is unavailable in this JDK", e);
        }
    }

    private static byte[] header(int chunk, long length) {
        return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(chunk).putLong(length).array();
    }

    private static long chunks(long length, int chunk) {
        return Math.max(1, (length + chunk - 1) / chunk);
    }

    private static void checkChunk(int chunk) {
        if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk must be " + MIN_CHUNK + " to " + MAX_CHUNK + " bytes, was " + chunk);
        }
    }
}
