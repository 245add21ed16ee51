package dev.hypha.ml.store;

import dev.hypha.core.errors.HyphaException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name a model is known by in the local store, Ollama style: {@code name[:tag]}, the tag defaulting to
 * {@value #DEFAULT_TAG}. Names are lowercase so that they mean the same model on case-insensitive file systems;
 * both parts become file names, so only characters that are safe in a path segment are allowed.
 *
 * @param name lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters
 * @param tag  letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters
 */
public record ModelName(String name, String tag) implements Comparable<ModelName> {
    /** The tag of a name given without one. */
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public ModelName {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tag, "tag");
        if (!NAME.matcher(name).matches()) {
            throw HyphaException.input("invalid model name '" + name + "': use 1-64 lowercase letters, digits, '.', '_'"
                    + " or '-', starting with a letter or digit (e.g. llama3.2 or tiny-llama)");
        }
        if (!TAG.matcher(tag).matches()) {
            throw HyphaException.input("invalid model tag '" + tag + "': use 1-64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit (e.g. latest or 1b-q4_k_m)");
        }
    }

    /**
     * Parses {@code name} or {@code name:tag}.
     *
     * @throws HyphaException (INPUT) naming what is wrong with the text
     */
    public static ModelName parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new ModelName(text, DEFAULT_TAG);
        }
        if (text.indexOf(':', colon + 1) >= 0) {
            throw HyphaException.input("invalid model name '" + text + "': at most one ':' (name:tag)");
        }
        return new ModelName(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public int compareTo(ModelName other) {
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : tag.compareTo(other.tag);
    }

    /** {@code name:tag}, the form {@link #parse} reads back. */
    @Override
    public String toString() {
        return name + ":" + tag;
    }
}
