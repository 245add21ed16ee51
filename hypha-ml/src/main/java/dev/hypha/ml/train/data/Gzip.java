package dev.hypha.ml.train.data;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads a file that may be gzip-compressed, refusing to inflate past a limit (a small hostile file can claim gigabytes). */
public final class Gzip {
    private Gzip() {}

    public static byte[] readBounded(Path file, long maxBytes) {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new HyphaException(ErrorCategory.INPUT, file + " holds more than " + maxBytes + " bytes (uncompressed), more than a dataset file may");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + file, e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.INPUT, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
