package dev.hypha.node.data;

import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A provider's data key card, read from where the provider publishes it: {@link DataKeyRoutes#PATH} under the endpoint
 * it registered in ProviderRegistry. The answer is hostile input: at most {@link #MAX_BYTES} bytes are read, and the
 * card must be signed by the provider asked about (a wrong or swapped card is refused before any key is wrapped to it).
 */
public final class ProviderKeyCards {
    /** A card's text is 204 characters; anything much longer is not a card. */
    static final int MAX_BYTES = 512;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ProviderRegistryClient registry;
    private final HttpClient http;

    public ProviderKeyCards(ProviderRegistryClient registry, HttpClient http) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.http = Objects.requireNonNull(http, "http");
    }

    /**
     * {@code provider}'s card.
     *
     * @throws HyphaException INPUT when the provider is not registered, its endpoint is not an http(s) URL or the card
     *     is malformed or another account's; NETWORK when the endpoint cannot be reached or answers with an error
     */
    public DataKeyCard of(Address provider) {
        String endpoint = registry.provider(provider.toChecksumString()).orElseThrow(() -> HyphaException.input(
                provider.toChecksumString() + " is not a registered provider: no endpoint to read its data key card from"))
                .endpoint();
        URI uri;
        try {
            uri = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) + DataKeyRoutes.PATH
                    : endpoint + DataKeyRoutes.PATH);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("provider " + provider.toChecksumString() + "'s registered endpoint " + endpoint
                    + " is not a URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw HyphaException.input("provider " + provider.toChecksumString() + "'s registered endpoint " + endpoint
                    + " is not an http(s) URL");
        }
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot read provider " + provider.toChecksumString()
                    + "'s data key card at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted reading the data key card at " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new HyphaException(ErrorCategory.NETWORK, "provider " + provider.toChecksumString() + " answered "
                    + response.statusCode() + " for its data key card at " + uri);
        }
        if (body.length > MAX_BYTES) {
            throw HyphaException.input("provider " + provider.toChecksumString() + "'s data key card at " + uri
                    + " is longer than " + MAX_BYTES + " bytes");
        }
        return DataKeyCard.parse(new String(body, StandardCharsets.US_ASCII).strip(), provider);
    }
}
