package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.IdentityRegistryClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;

/**
 * Finds agents' MCP endpoints through the ERC-8004 identity registry: the agent's URI points to its registration file
 * (an http(s) URL or a {@code data:application/json} URI), whose {@code services} list names an "MCP" endpoint. Also
 * tells who may be paid for the agent (its agent wallet and owner: ReputationRegistry counts only payments to them).
 */
public final class ServiceDirectory {
    /** Largest registration file read. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    /**
     * A registered agent as its registration file and the registry describe it.
     *
     * @param agentId     its ERC-8004 id
     * @param name        the file's name
     * @param mcpEndpoint its MCP endpoint
     * @param payees      the addresses a payment to it may go to (agent wallet, owner)
     */
    public record Agent(BigInteger agentId, String name, String mcpEndpoint, Set<Address> payees) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final IdentityRegistryClient identity;
    private final HttpClient http;

    public ServiceDirectory(IdentityRegistryClient identity, HttpClient http) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.http = Objects.requireNonNull(http, "http");
    }

    /**
     * Looks agent {@code agentId} up.
     *
     * @throws HyphaException INPUT when its file has no MCP service or is not a registration file
     */
    public Agent find(BigInteger agentId) {
        String uri = identity.agentUri(agentId);
        JsonNode file = registration(agentId, uri);
        if (!file.path("active").asBoolean(true)) {
            throw HyphaException.input("agent #" + agentId + " is marked inactive in its registration file " + uri);
        }
        for (JsonNode s : file.path("services")) {
            if ("MCP".equalsIgnoreCase(s.path("name").asText("")) && s.path("endpoint").isTextual()) {
                String endpoint = s.get("endpoint").textValue();
                if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                    throw HyphaException.input("agent #" + agentId + "'s MCP endpoint '" + endpoint + "' is not http(s)");
                }
                Set<Address> payees = Set.copyOf(java.util.List.of(Address.parse(identity.agentWallet(agentId)),
                        Address.parse(identity.ownerOf(agentId))));
                return new Agent(agentId, file.path("name").asText(""), endpoint, payees);
            }
        }
        throw HyphaException.input("agent #" + agentId + "'s registration file " + uri + " lists no MCP service");
    }

    private JsonNode registration(BigInteger agentId, String uri) {
        byte[] bytes;
        if (uri.startsWith("data:application/json;base64,")) {
            bytes = Base64.getDecoder().decode(uri.substring("data:application/json;base64,".length()));
        } else if (uri.startsWith("data:application/json,")) {
            bytes = URLDecoder.decode(uri.substring("data:application/json,".length()), StandardCharsets.UTF_8)
                    .getBytes(StandardCharsets.UTF_8);
        } else if (uri.startsWith("http://") || uri.startsWith("https://")) {
            bytes = fetch(agentId, uri);
        } else {
            throw HyphaException.input("agent #" + agentId + "'s URI '" + uri + "' is neither http(s) nor a data:application/json URI");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw HyphaException.input("agent #" + agentId + "'s registration file is larger than " + MAX_FILE_BYTES + " bytes");
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject() || !n.path("services").isArray()) {
                throw HyphaException.input("agent #" + agentId + "'s registration file at " + uri + " has no services list");
            }
            return n;
        } catch (IOException e) {
            throw HyphaException.input("agent #" + agentId + "'s registration file at " + uri + " is not JSON");
        }
    }

    private byte[] fetch(BigInteger agentId, String uri) {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20))
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw HyphaException.input("agent #" + agentId + "'s registration file " + uri + " answered " + r.statusCode());
                }
                return in.readNBytes(MAX_FILE_BYTES + 1);
            }
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot fetch agent #" + agentId + "'s registration file "
                    + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted fetching " + uri, e);
        }
    }
}
