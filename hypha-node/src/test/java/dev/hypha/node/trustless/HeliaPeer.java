package dev.hypha.node.trustless;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Helia (the JavaScript IPFS implementation, pinned in the repository's package.json) run through
 * src/test/node/helia-peer.mjs: a real IPFS peer on the other side of the interoperability tests.
 */
final class HeliaPeer {
    private HeliaPeer() {}

    /** Helia serving files it added as a trustless gateway on loopback; closing its standard input stops it. */
    static final class Gateway implements AutoCloseable {
        private final Process process;
        private final Map<Path, String> cids;
        private final int port;
        private final StringBuilder log;

        private Gateway(Process process, Map<Path, String> cids, int port, StringBuilder log) {
            this.process = process;
            this.cids = cids;
            this.port = port;
            this.log = log;
        }

        /** The CID Helia gave {@code file} when it added it. */
        String cid(Path file) {
            return cids.get(file);
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Helia's gateway did not stop:\n" + log);
            }
        }
    }

    /** Starts Helia, adds {@code files} with the unixfs-v1-2025 options and serves them. */
    static Gateway gateway(List<Path> files) throws IOException {
        return gateway(files, 1 << 20, 1024);
    }

    /** Starts Helia, adds {@code files} with fixed chunks of {@code chunkSize} in a balanced DAG of {@code width}. */
    static Gateway gateway(List<Path> files, int chunkSize, int width) throws IOException {
        List<String> command = new ArrayList<>(List.of(node(), script().toString(), "gateway",
                "--chunk-size", Integer.toString(chunkSize), "--width", Integer.toString(width)));
        files.forEach(f -> command.add(f.toString()));
        Process process = start(command, true);
        StringBuilder log = new StringBuilder();
        Map<Path, String> cids = new LinkedHashMap<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            log.append(line).append('\n');
            if (line.startsWith("LISTENING ")) {
                Thread.ofVirtual().start(() -> drain(out, log));
                return new Gateway(process, cids, Integer.parseInt(line.substring(10).strip()), log);
            }
            String[] parts = line.split(" ", 2);
            if (parts.length == 2 && parts[0].startsWith("baf")) cids.put(Path.of(parts[1]), parts[0]);
        }
        process.destroyForcibly();
        throw new IllegalStateException("Helia's gateway ended before listening:\n" + log);
    }

    /** Helia fetching {@code cid} through its trustless-gateway broker from {@code gatewayUrl} into {@code out}. */
    static String fetch(String gatewayUrl, String cid, Path out) throws IOException, InterruptedException {
        return run(List.of(node(), script().toString(), "fetch", gatewayUrl, cid, out.toString()));
    }

    /** Helia's CAR reader (@ipld/car) reading {@code ?format=car} from {@code gatewayUrl}, every block checked. */
    static String car(String gatewayUrl, String cid, Path out) throws IOException, InterruptedException {
        return run(List.of(node(), script().toString(), "car", gatewayUrl, cid, out.toString()));
    }

    /** The content id IPFS's importer gives {@code folder} (as {@code ipfs add -r} would). */
    static String directoryId(Path folder) throws IOException, InterruptedException {
        return run(List.of(node(), script().toString(), "dir", folder.toString()));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = start(command, true);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("Helia did not finish:\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new HeliaFailed(process.exitValue(), output);
        }
        return output.strip();
    }

    /** Helia exited with an error (what it printed is in the message). */
    static final class HeliaFailed extends IllegalStateException {
        HeliaFailed(int exit, String output) {
            super("Helia failed (exit " + exit + "):\n" + output);
        }
    }

    private static Process start(List<String> command, boolean mergeErrors) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(mergeErrors);
        builder.environment().put("HYPHA_REPO_ROOT", repoRoot().toString());
        return builder.start();
    }

    private static void drain(BufferedReader out, StringBuilder log) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (log) {
                    log.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static Path repoRoot() {
        String root = System.getProperty("hypha.repo.root");
        if (root == null) throw new IllegalStateException("system property hypha.repo.root is not set (surefire sets it)");
        return Path.of(root);
    }

    private static Path script() {
        return repoRoot().resolve("hypha-node/src/test/node/helia-peer.mjs");
    }

    private static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new IllegalStateException("node is not on PATH; the IPFS interoperability tests run Helia with it");
    }
}
