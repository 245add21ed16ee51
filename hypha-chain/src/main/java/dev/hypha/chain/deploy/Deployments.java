package dev.hypha.chain.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.rpc.ChainClient;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.web3j.crypto.Hash;

/**
 * The deployments folder: one JSON file per chain ({@code <dir>/<chainId>.json}), written
 * atomically (temporary file, then rename) so a crash never leaves half a file.
 */
public final class Deployments {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    /** Deployments kept in {@code dir} (typically {@code <home>/deployments}). */
    public Deployments(Path dir) {
        this.dir = dir;
    }

    /** The file for one chain. */
    public Path file(long chainId) {
        return dir.resolve(chainId + ".json");
    }

    /** Writes a deployment, replacing any earlier one for the same chain. */
    public void save(Deployment deployment) {
        Path target = file(deployment.chainId());
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, deployment.chainId() + ".", ".tmp");
            try {
                JSON.writeValue(tmp.toFile(), deployment);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw ChainErrors.internal("cannot write deployments file " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the deployment recorded for a chain.
     *
     * @return empty if none was recorded
     * @throws dev.hypha.chain.ChainException INPUT naming the file when it is malformed
     */
    public Optional<Deployment> load(long chainId) {
        Path f = file(chainId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Deployment d;
        try {
            d = JSON.readValue(f.toFile(), Deployment.class);
        } catch (IOException e) {
            throw ChainErrors.input("deployments file " + f + " is malformed (" + firstLine(e.getMessage())
                    + "); fix it or delete it to redeploy");
        }
        if (d.chainId() != chainId) {
            throw ChainErrors.input("deployments file " + f + " records chain id " + d.chainId() + ", expected " + chainId);
        }
        for (String name : HyphaAbis.NAMES) {
            if (!d.contracts().containsKey(name)) {
                throw ChainErrors.input("deployments file " + f + " has no " + name + "; delete it to redeploy");
            }
        }
        return Optional.of(d);
    }

    /**
     * Checks a recorded deployment against the chain: every contract must still have the same
     * code at its address (a restarted devnet without state, or another chain with the same id,
     * fails this).
     *
     * @return the problems found; empty when the deployment is usable
     */
    public static List<String> verify(Deployment deployment, ChainClient client) {
        List<String> problems = new ArrayList<>();
        for (var e : deployment.contracts().entrySet()) {
            String code = client.code(e.getValue().address());
            if (code == null || code.equals("0x") || code.isEmpty()) {
                problems.add(e.getKey() + " has no code at " + e.getValue().address());
            } else if (!Hash.sha3(code).equalsIgnoreCase(e.getValue().codeHash())) {
                problems.add(e.getKey() + " at " + e.getValue().address() + " has different code than was deployed");
            }
        }
        return problems;
    }

    /** The recorded deployment for the client's chain, if there is one and it still checks out. */
    public Optional<Deployment> loadVerified(ChainClient client) {
        return load(client.chainId()).filter(d -> verify(d, client).isEmpty());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
