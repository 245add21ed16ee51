package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * An agent's folder, {@code <home>/agents/<name>/}: its spec ({@code spec.json}), what {@code hypha agent create} made
 * for it ({@code agent.json}: account, session key address, chain, per-call maximum), the session key, the journal,
 * the log and the stop file. Files are written to a temporary name and renamed into place.
 *
 * <p>Decision: the session key is kept unencrypted (mode 600), unlike account keys: the runtime must start unattended,
 * and the key is worth only what the AgentAccount lets it spend (its cap, the period limit, the counterparties), which
 * the owner or guardian can freeze at once.
 */
public final class AgentFolder {
    /**
     * What creation recorded.
     *
     * @param account    the AgentAccount (lower-case hex)
     * @param sessionKey the session key's address
     * @param chainId    the chain
     * @param maxPerCall the policy's maximum per payment, in hUSD units
     */
    public record Record(String account, String sessionKey, long chainId, BigInteger maxPerCall) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public AgentFolder(Path home, String name) {
        this.dir = home.resolve("agents").resolve(name);
    }

    public Path dir() {
        return dir;
    }

    public boolean exists() {
        return Files.exists(dir.resolve("agent.json"));
    }

    /** Writes the spec, the session key and the record (the record last: it marks the agent as created). */
    public void create(byte[] specBytes, Credentials sessionKey, Record record) {
        try {
            Files.createDirectories(dir);
            write("spec.json", specBytes);
            Path key = dir.resolve("session.key");
            Path tmp = dir.resolve("session.key.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Numeric.toHexStringWithPrefixZeroPadded(sessionKey.getEcKeyPair().getPrivateKey(), 64));
            Files.move(tmp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ObjectNode o = JSON.createObjectNode();
            o.put("account", record.account()).put("sessionKey", record.sessionKey()).put("chainId", record.chainId())
                    .put("maxPerCall", record.maxPerCall().toString());
            write("agent.json", o.toPrettyString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HyphaException.io("cannot write agent folder " + dir + ": " + e.getMessage(), e);
        }
    }

    public AgentSpec spec() {
        return AgentSpec.read(dir.resolve("spec.json"));
    }

    public Record record() {
        try {
            JsonNode o = JSON.readTree(dir.resolve("agent.json").toFile());
            return new Record(o.get("account").asText(), o.get("sessionKey").asText(), o.get("chainId").asLong(),
                    new BigInteger(o.get("maxPerCall").asText()));
        } catch (IOException | RuntimeException e) {
            throw HyphaException.input("agent folder " + dir + " has no readable agent.json: create it with"
                    + " `hypha agent create SPEC`");
        }
    }

    public Credentials sessionKey() {
        try {
            return Credentials.create(Files.readString(dir.resolve("session.key")).strip());
        } catch (IOException e) {
            throw HyphaException.io("cannot read the session key in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void write(String name, byte[] bytes) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
