package dev.hypha.core.cid;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The content id of a file, stream or byte array under the unixfs-v1-2025 profile, computed in one streaming pass. */
public final class ContentIds {
    private ContentIds() {}

    /**
     * The id of a file's content.
     *
     * @throws HyphaException NOT_FOUND or IO naming the file when it cannot be read
     */
    public static ContentId of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return UnixFsImporter.PROFILE.importFrom(in, BlockSink.NONE).root();
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
        } catch (IOException e) {
            throw UnixFsImporter.readFailure(file.toString(), e);
        }
    }

    /** The id of everything left in the stream (not closed). */
    public static ContentId of(InputStream in) throws IOException {
        return UnixFsImporter.PROFILE.importFrom(in, BlockSink.NONE).root();
    }

    /**
     * The content id and the flat SHA-256 of everything left in the stream, in one pass (the stream is not closed).
     * Blocks go to {@code sink} (use {@link BlockSink#NONE} to keep none).
     */
    public static ContentIdentity identify(InputStream in, BlockSink sink) throws IOException {
        java.security.DigestInputStream digesting = new java.security.DigestInputStream(in, dev.hypha.core.crypto.Hashes.newSha256());
        ImportResult result = UnixFsImporter.PROFILE.importFrom(digesting, sink);
        return new ContentIdentity(result.root(), digesting.getMessageDigest().digest(), result.fileSize());
    }

    /**
     * The content id and flat SHA-256 of a file, in one pass.
     *
     * @throws HyphaException NOT_FOUND or IO naming the file when it cannot be read
     */
    public static ContentIdentity identify(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return identify(in, BlockSink.NONE);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
        } catch (IOException e) {
            throw UnixFsImporter.readFailure(file.toString(), e);
        }
    }

    /** The id of a byte array. */
    public static ContentId of(byte[] content) {
        try {
            return of(new ByteArrayInputStream(content));
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array never fails", e);
        }
    }

    /**
     * The content id of a file and its cumulative size (the bytes of every block of its DAG, duplicates counted each
     * time), what a directory's link to it records.
     *
     * @throws HyphaException NOT_FOUND or IO naming the file when it cannot be read
     */
    public static UnixFsDirectory.Entry entry(String name, Path file) {
        long[] bytes = {0};
        try (InputStream in = Files.newInputStream(file)) {
            ContentId root = UnixFsImporter.PROFILE.importFrom(in, (cid, block) -> bytes[0] += block.length).root();
            return new UnixFsDirectory.Entry(name, root, bytes[0]);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
        } catch (IOException e) {
            throw UnixFsImporter.readFailure(file.toString(), e);
        }
    }
}
