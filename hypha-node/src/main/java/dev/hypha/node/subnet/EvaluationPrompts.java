package dev.hypha.node.subnet;

import dev.hypha.core.crypto.Hashes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts a validator sends a miner in one evaluation round, derived from the round's committed seed: prompt k of
 * UID u is a sentence of words picked by keccak256(seed ‖ u ‖ k ‖ i). Miners cannot know them before the seed is
 * revealed (after the round), each miner gets its own (so answers cannot be shared between miners), and anyone can
 * re-derive them from the revealed seed to audit the validator's scores against the miners' signed receipts.
 */
public final class EvaluationPrompts {
    /** Words the prompts are made of: plain English, so any tokenizer handles them. */
    private static final List<String> WORDS = List.of("the", "river", "carries", "light", "stone", "under", "quiet",
            "market", "seven", "bright", "clocks", "garden", "winter", "answer", "paper", "bridge", "north", "window",
            "small", "engine", "story", "salt", "forest", "number", "glass", "slowly", "over", "music", "harbor",
            "yellow", "question", "table", "cloud", "copper", "letter", "morning", "field", "honest", "machine", "tide",
            "silver", "road", "learns", "echo", "path", "orange", "city", "measure", "wind", "shadow", "open", "lamp",
            "seed", "clear", "weaves", "signal", "mountain", "reads", "careful", "valley", "coin", "warm", "thread", "map");
    /** Words per prompt. */
    static final int LENGTH = 8;

    private EvaluationPrompts() {}

    /** Prompt {@code k} of UID {@code uid} for {@code seed} (32 bytes). */
    public static String prompt(byte[] seed, int uid, int k) {
        if (seed.length != 32) throw new IllegalArgumentException("an evaluation seed is 32 bytes, got " + seed.length);
        if (uid < 0 || k < 0) throw new IllegalArgumentException("uid and k must be non-negative: " + uid + ", " + k);
        List<String> words = new ArrayList<>(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            byte[] h = Hashes.keccak256(ByteBuffer.allocate(44).put(seed).putInt(uid).putInt(k).putInt(i).array());
            words.add(WORDS.get(Byte.toUnsignedInt(h[0]) % WORDS.size()));
        }
        return String.join(" ", words);
    }

    /** The sampling seed of prompt {@code k} of UID {@code uid}: the hash's first 8 bytes, non-negative. */
    public static long samplingSeed(byte[] seed, int uid, int k) {
        byte[] h = Hashes.keccak256(ByteBuffer.allocate(41).put(seed).putInt(uid).putInt(k).put((byte) 's').array());
        return ByteBuffer.wrap(h).getLong() & Long.MAX_VALUE;
    }
}
