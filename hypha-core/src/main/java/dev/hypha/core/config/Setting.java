package dev.hypha.core.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its name, TOML kind, how to parse text into a value (from environment variables and flags),
 * and its default. Adding a key to Hypha is one {@link Settings} line.
 *
 * @param key         dotted name, e.g. {@code rpc.url}; in TOML {@code [rpc] url = ...}; in the environment
 *                    {@code HYPHA_RPC_URL}
 * @param kind        the TOML value kind the file must use
 * @param expected    what a valid value looks like, for error messages (e.g. "a port number 1-65535")
 * @param parser      text to value; throws {@link IllegalArgumentException} when the text is not valid
 * @param defaults    the default given the resolution context (e.g. the user's home folder); null for no default
 * @param description one line for {@code hypha config show --help} and the docs
 */
public record Setting<T>(String key, Kind kind, String expected, Function<String, T> parser,
                         Function<Settings.Context, T> defaults, String description) {
    /** The TOML value kinds settings use. */
    public enum Kind { STRING, INTEGER, BOOLEAN }

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(description, "description");
    }

    /** The environment variable that sets this key: HYPHA_ + upper case, dots and dashes as underscores. */
    public String environmentVariable() {
        return "HYPHA_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Parses text for this key; {@code origin} names where the text came from in the error. */
    public T parse(String text, String origin) {
        try {
            T value = parser.apply(text.strip());
            if (value == null) throw new IllegalArgumentException("empty");
            return value;
        } catch (RuntimeException e) {
            throw new ConfigException(origin + ": invalid value '" + shorten(text) + "' for " + key
                    + " (expected " + expected + ")", e);
        }
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
