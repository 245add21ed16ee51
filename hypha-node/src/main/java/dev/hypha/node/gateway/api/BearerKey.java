package dev.hypha.node.gateway.api;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key in an {@code Authorization: Bearer <key>} header (RFC 6750's b64token; the scheme name is case-insensitive),
 * the header OpenAI clients send their API key in and Ollama clients send for a remote host.
 */
final class BearerKey {
    private static final Pattern BEARER = Pattern.compile("[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*) *");
    private static final int MAX_HEADER = 512;

    private BearerKey() {}

    /** What is wrong with the header, or the key it carries. */
    sealed interface Parsed permits Missing, Malformed, Key {}

    record Missing() implements Parsed {}

    record Malformed(String why) implements Parsed {}

    record Key(String key) implements Parsed {}

    static Parsed parse(Optional<String> header) {
        if (header.isEmpty() || header.get().isBlank()) {
            return new Missing();
        }
        String value = header.get();
        if (value.length() > MAX_HEADER) {
            return new Malformed("the Authorization header is " + value.length() + " characters long; a key is far"
                    + " shorter");
        }
        Matcher m = BEARER.matcher(value);
        if (!m.matches()) {
            String scheme = value.strip().split(" ", 2)[0];
            return scheme.toLowerCase(Locale.ROOT).equals("bearer")
                    ? new Malformed("the Authorization header's Bearer value is not a key (expected 'Bearer hypha_...')")
                    : new Malformed("the Authorization header must be 'Bearer <key>', not another scheme");
        }
        return new Key(m.group(1));
    }
}
