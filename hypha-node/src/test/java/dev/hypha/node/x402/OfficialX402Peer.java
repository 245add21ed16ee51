package dev.hypha.node.x402;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official x402 packages (pinned in the repository's package.json) run through src/test/node/x402-peer.mjs: the
 * other side of the interoperability tests, as a paying client or as an Express server with the x402 middleware.
 */
final class OfficialX402Peer {
    private OfficialX402Peer() {}

    /**
     * @x402/fetch + @x402/evm paying {@code url} with {@code privateKey}, allowed to pay up to {@code max} units of
     * {@code asset} on {@code network}; returns the script's JSON line.
     */
    static String pay(String url, String privateKey, String network, String asset, String max)
            throws IOException, InterruptedException {
        Process process = start(List.of(node(), script().toString(), "pay", url, privateKey, network, asset, max));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("@x402/fetch did not finish:\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("@x402/fetch failed (exit " + process.exitValue() + "):\n" + output);
        }
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** An @x402/express server; closing it closes its standard input, which stops it. */
    static final class Server implements AutoCloseable {
        private final Process process;
        final int port;
        final StringBuilder log;

        private Server(Process process, int port, StringBuilder log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Starts the Express server selling GET /weather (see the script for the arguments). */
    static Server serve(String facilitatorUrl, String network, String asset, String amount, String payTo, String tokenName)
            throws IOException {
        Process process = start(new ArrayList<>(List.of(node(), script().toString(), "serve", facilitatorUrl, network,
                asset, amount, payTo, tokenName)));
        StringBuilder log = new StringBuilder();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            log.append(line).append('\n');
            if (line.startsWith("LISTENING ")) {
                BufferedReader rest = out;
                Thread.ofVirtual().start(() -> drain(rest, log));
                return new Server(process, Integer.parseInt(line.substring(10).strip()), log);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the @x402/express server ended before listening:\n" + log);
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

    private static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Path script() {
        String root = System.getProperty("hypha.repo.root");
        if (root == null) throw new IllegalStateException("system property hypha.repo.root is not set (surefire sets it)");
        return Path.of(root, "hypha-node/src/test/node/x402-peer.mjs");
    }

    private static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new IllegalStateException("node is not on PATH; the x402 interoperability tests run the official packages with it");
    }
}
