package dev.hypha.ml.train.run;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.train.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A LoRA run's checkpoint: the run's identity (SHA-256 of the base file, the data file and the options), the steps
 * done, the adapter's tensors and the AdamW moments as raw float bits. Since step t's batch comes from
 * {@code Seeds(seed, SHUFFLE, t)} and the schedule from t, that is all a resumed run needs to continue with the bits an
 * uninterrupted run would have. Written to a temp file, forced to disk and renamed over the old one; a checkpoint of
 * another run (other base, data or options) is refused rather than silently continued or overwritten.
 */
final class LoraCheckpoint {
    private static final int MAGIC = 0x4C6F5241; // "LoRA"

    private final Path file;
    private final byte[] identity;
    private ContentId lastId;

    LoraCheckpoint(Path file, byte[] identity) {
        this.file = file;
        this.identity = identity.clone();
    }

    /** SHA-256 over the base's bytes, the data's bytes and the options' text. */
    static byte[] identity(Path base, Path data, String options) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Path p : new Path[] {base, data}) {
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] buf = new byte[1 << 20];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        d.update(buf, 0, n);
                    }
                }
                d.update((byte) 0);
            }
            d.update(options.getBytes(StandardCharsets.UTF_8));
            return d.digest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The content id of the checkpoint last written or read (for progress lines). */
    ContentId lastId() {
        return lastId;
    }

    /**
     * Loads the checkpoint into {@code parameters} and {@code state} if there is one, returning its step (0 when none).
     *
     * @throws IllegalArgumentException when the file belongs to another run or is damaged
     */
    long resume(List<Tensor> parameters, List<float[]> state) {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> arrays = arrays(parameters, state);
        long expected = 4 + 32 + 8 + 4;
        for (float[] a : arrays) {
            expected += 4 + 4L * a.length;
        }
        if (bytes.length != expected || in.getInt() != MAGIC) {
            throw damaged("is not a checkpoint of this adapter's shape (" + bytes.length + " bytes, expected " + expected + ")");
        }
        byte[] id = new byte[32];
        in.get(id);
        if (!Arrays.equals(id, identity)) {
            throw new IllegalArgumentException("checkpoint " + file + " belongs to another run (base, data or options differ: run "
                    + HexFormat.of().formatHex(id, 0, 8) + "..., this one " + HexFormat.of().formatHex(identity, 0, 8)
                    + "...); delete it to start over, or write the adapter elsewhere");
        }
        long step = in.getLong();
        if (in.getInt() != arrays.size()) {
            throw damaged("holds another number of arrays");
        }
        for (float[] a : arrays) {
            if (in.getInt() != a.length) {
                throw damaged("holds an array of another length");
            }
            in.asFloatBuffer().get(a);
            in.position(in.position() + 4 * a.length);
        }
        if (step < 1) {
            throw damaged("has step " + step);
        }
        lastId = ContentIds.of(bytes);
        return step;
    }

    /** Writes the checkpoint after {@code step} steps and returns its bytes (whose content id is {@link #lastId}). */
    byte[] write(long step, List<Tensor> parameters, List<float[]> state) {
        List<float[]> arrays = arrays(parameters, state);
        long size = 4 + 32 + 8 + 4;
        for (float[] a : arrays) {
            size += 4 + 4L * a.length;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).put(identity).putLong(step).putInt(arrays.size());
        for (float[] a : arrays) {
            out.putInt(a.length);
            out.asFloatBuffer().put(a);
            out.position(out.position() + 4 * a.length);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.flip();
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
        lastId = ContentIds.of(out.array());
        return out.array();
    }

    /**
     * The state a checkpoint's bytes hold, read as hostile input against the shape of {@code like} (the run's initial
     * state: its parameter arrays, then its optimizer arrays). The run identity is not checked here: whoever reads a
     * state this way checks its Merkle root against a commitment instead.
     */
    static RunState decode(String name, byte[] bytes, Checkpoints.Shape like) {
        List<float[]> arrays = new java.util.ArrayList<>();
        for (int n : like.parameterLengths()) {
            arrays.add(new float[n]);
        }
        for (int n : like.optimizerLengths()) {
            arrays.add(new float[n]);
        }
        long expected = 4 + 32 + 8 + 4;
        for (float[] a : arrays) {
            expected += 4 + 4L * a.length;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != expected || in.getInt() != MAGIC) {
            throw new IllegalArgumentException("checkpoint " + name + " is not a LoRA checkpoint of this adapter's shape ("
                    + bytes.length + " bytes, expected " + expected + ")");
        }
        in.position(in.position() + 32);
        long step = in.getLong();
        if (step < 0 || in.getInt() != arrays.size()) {
            throw new IllegalArgumentException("checkpoint " + name + " has step " + step + " or another number of arrays");
        }
        for (float[] a : arrays) {
            if (in.getInt() != a.length) {
                throw new IllegalArgumentException("checkpoint " + name + " holds an array of another length");
            }
            in.asFloatBuffer().get(a);
            in.position(in.position() + 4 * a.length);
        }
        int p = like.parameterLengths().length;
        return new RunState(step, arrays.subList(0, p), arrays.subList(p, arrays.size()));
    }

    /** Whether {@code bytes} start as a LoRA checkpoint does. */
    static boolean isLoraCheckpoint(byte[] bytes) {
        return bytes.length >= 4 && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt() == MAGIC;
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<float[]> arrays(List<Tensor> parameters, List<float[]> state) {
        List<float[]> all = new java.util.ArrayList<>();
        parameters.forEach(t -> all.add(t.data()));
        all.addAll(state);
        return all;
    }

    private IllegalArgumentException damaged(String problem) {
        return new IllegalArgumentException("checkpoint " + file + " " + problem + "; delete it to start over");
    }
}
