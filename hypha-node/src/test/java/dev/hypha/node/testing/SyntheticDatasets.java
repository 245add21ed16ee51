package dev.hypha.node.testing;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.store.ContentStore;
import java.util.Map;
import java.util.SplittableRandom;

/** The small IDX datasets the compute, verification and dashboard tests train on, stored as a dataset manifest. */
public final class SyntheticDatasets {
    private SyntheticDatasets() {
    }

    /** {@link #threeClasses(ContentStore, String, long, int)} named "synthetic", seed 3, unshifted. */
    public static ContentId threeClasses(ContentStore store) {
        return threeClasses(store, "synthetic", 3, 0);
    }

    /**
     * 60 8x8 images of 3 classes: class c lights rows 2c..2c+1 (rows shifted down by {@code shift}, wrapping, for
     * "other" data), noise from {@code seed}; the images, labels and manifest are put in {@code store}.
     *
     * @return the manifest's content id
     */
    public static ContentId threeClasses(ContentStore store, String name, long seed, int shift) {
        int count = 60;
        byte[] images = new byte[16 + count * 64];
        byte[] labels = new byte[8 + count];
        idxHeader(images, 3, count, 8, 8);
        idxHeader(labels, 1, count);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int c = i % 3;
            labels[8 + i] = (byte) c;
            for (int p = 0; p < 64; p++) {
                int y = (p / 8 + shift) % 8;
                images[16 + i * 64 + p] = (byte) (y / 2 == c ? 200 + r.nextInt(56) : r.nextInt(40));
            }
        }
        DatasetManifest m = new DatasetManifest(name, 3, 8, 8, Map.of("train",
                new DatasetManifest.Split(count, store.put(images), store.put(labels))));
        return store.put(m.encode());
    }

    /** Writes an IDX header (unsigned bytes, {@code rank} dimensions, big-endian sizes) into the start of {@code b}. */
    public static void idxHeader(byte[] b, int rank, int... dims) {
        b[2] = 0x08;
        b[3] = (byte) rank;
        for (int i = 0; i < dims.length; i++) {
            b[4 + 4 * i] = (byte) (dims[i] >>> 24);
            b[5 + 4 * i] = (byte) (dims[i] >>> 16);
            b[6 + 4 * i] = (byte) (dims[i] >>> 8);
            b[7 + 4 * i] = (byte) dims[i];
        }
    }
}
