import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * The floor under bench/network-overhead.sh: what one loopback HTTP exchange costs on this machine with nothing behind
 * it. A Javalin server (the node's HTTP stack, with virtual threads as the node runs it, and with Jetty's platform
 * threads) answers a small POST with two NDJSON lines, flushed one by one like a streamed answer; three clients time
 * the first line: a bare socket (HTTP/1.1 written by hand, the least any client can cost), Apache HttpClient 5 classic
 * (the gateway's client for providers) and java.net.http (the benchmark's own client, and the node's for everything
 * else). Between exchanges the program sweeps 32 MiB and sleeps 3 ms, so each exchange runs with cold caches and
 * parked threads, as requests between two answers of an engine do. Medians of --rounds exchanges each, interleaved.
 */
public class HttpHopFloor {
    private static final byte[] BODY = "{\"model\":\"m\",\"prompt\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SWEEP = new byte[32 << 20];

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Javalin virtual = server(true);
        Javalin platform = server(false);
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (CloseableHttpClient apache = HttpClients.custom().disableAutomaticRetries().build();
             Socket toVirtual = new Socket("127.0.0.1", virtual.port());
             Socket toPlatform = new Socket("127.0.0.1", platform.port())) {
            toVirtual.setTcpNoDelay(true);
            toPlatform.setTcpNoDelay(true);
            String[] names = {"bare socket", "HttpClient 5 classic", "java.net.http"};
            double[][] onVirtual = new double[3][rounds];
            double[][] onPlatform = new double[3][rounds];
            for (int warm = 0; warm < 2; warm++) {
                for (int i = 0; i < rounds; i++) {
                    onVirtual[0][i] = cold(() -> bare(toVirtual, virtual.port()));
                    onPlatform[0][i] = cold(() -> bare(toPlatform, platform.port()));
                    onVirtual[1][i] = cold(() -> apache(apache, virtual.port()));
                    onPlatform[1][i] = cold(() -> apache(apache, platform.port()));
                    onVirtual[2][i] = cold(() -> jdk(jdk, virtual.port()));
                    onPlatform[2][i] = cold(() -> jdk(jdk, platform.port()));
                }
            }
            System.out.printf(Locale.ROOT, "one loopback POST, time to the first of two streamed lines, median of %d (ms)%n",
                    rounds);
            System.out.printf(Locale.ROOT, "%-22s | %15s | %16s%n", "client", "virtual threads", "platform threads");
            for (int c = 0; c < 3; c++) {
                System.out.printf(Locale.ROOT, "%-22s | %15.3f | %16.3f%n", names[c], median(onVirtual[c]),
                        median(onPlatform[c]));
            }
        } finally {
            virtual.stop();
            platform.stop();
        }
    }

    interface Exchange {
        double run() throws Exception;
    }

    private static double cold(Exchange exchange) throws Exception {
        for (int k = 0; k < SWEEP.length; k += 64) {
            SWEEP[k]++;
        }
        Thread.sleep(3);
        return exchange.run();
    }

    private static Javalin server(boolean virtualThreads) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.useVirtualThreads = virtualThreads;
        });
        app.post("/api/generate", ctx -> {
            ctx.bodyAsBytes();
            ctx.contentType("application/x-ndjson");
            OutputStream out = ctx.res().getOutputStream();
            out.write("{\"response\":\"a\"}\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.write("{\"done\":true}\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        });
        return app.start("127.0.0.1", 0);
    }

    /** HTTP/1.1 written by hand on a kept connection; the first line is found in the chunked body. */
    private static double bare(Socket socket, int port) throws Exception {
        String head = "POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + BODY.length + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        long t0 = System.nanoTime();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(BODY);
        out.flush();
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        double first = -1;
        while (seen.indexOf("\r\n0\r\n\r\n") < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            if (first < 0 && seen.indexOf("{\"response\"") >= 0) {
                first = (System.nanoTime() - t0) / 1e6;
            }
        }
        return first;
    }

    private static double apache(CloseableHttpClient client, int port) throws Exception {
        HttpPost post = new HttpPost("http://127.0.0.1:" + port + "/api/generate");
        post.setEntity(new ByteArrayEntity(BODY, ContentType.APPLICATION_JSON));
        long t0 = System.nanoTime();
        try (var response = client.executeOpen(null, post, null);
             BufferedReader lines = new BufferedReader(new InputStreamReader(response.getEntity().getContent(),
                     StandardCharsets.UTF_8))) {
            lines.readLine();
            double first = (System.nanoTime() - t0) / 1e6;
            while (lines.readLine() != null) {
                // read to the end so the connection goes back to the pool
            }
            return first;
        }
    }

    private static double jdk(HttpClient client, int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/generate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
        long t0 = System.nanoTime();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            lines.readLine();
            double first = (System.nanoTime() - t0) / 1e6;
            while (lines.readLine() != null) {
                // read to the end so the connection is kept
            }
            return first;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
