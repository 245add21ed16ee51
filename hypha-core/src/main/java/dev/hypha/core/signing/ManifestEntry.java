package dev.hypha.core.signing;

import dev.hypha.core.errors.HyphaException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One file of a signed model: its name in the manifest and its SHA-256 in lower-case hex.
 *
 * @param name   a relative name without control characters ({@code model.gguf}, {@code adapter.gguf})
 * @param sha256 64 lower-case hex digits
 */
public record ManifestEntry(String name, String sha256) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._/+-]{1,255}");

    public ManifestEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        if (!NAME.matcher(name).matches() || name.startsWith("/") || name.contains("..")) {
            throw HyphaException.input("manifest file name '" + name.replaceAll("[^\\x20-\\x7e]", "?")
                    + "' is not a plain relative name (letters, digits, . _ / + -)");
        }
        if (!HEX64.matcher(sha256).matches()) {
            throw HyphaException.input("manifest digest of " + name + " is not 64 lower-case hex digits");
        }
    }
}
