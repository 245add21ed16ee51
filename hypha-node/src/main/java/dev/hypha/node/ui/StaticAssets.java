package dev.hypha.node.ui;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The page's files, read from the jar once at start into memory (a few hundred KiB): nothing is fetched from anywhere
 * at run time, a request names one of a fixed set of files (no path ever reaches the file system or the class loader,
 * so nothing else can be read through it), and a file missing from the build fails the node's start, not a page load.
 */
final class StaticAssets {
    /** Where the files lie on the class path. The chart library is copied there from node_modules by the build. */
    static final String ROOT = "/dev/hypha/node/ui/static/";

    /** Served file name → content type. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8",
            "uplot/uPlot.min.css", "text/css; charset=utf-8",
            "uplot/LICENSE", "text/plain; charset=utf-8");

    private record Asset(byte[] bytes, String type) {}

    private final Map<String, Asset> assets = new TreeMap<>();

    StaticAssets() {
        FILES.forEach((name, type) -> assets.put(name, new Asset(load(name), type)));
    }

    private static byte[] load(String name) {
        try (InputStream in = StaticAssets.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from the jar (" + ROOT + name
                        + "); the chart library comes from node_modules: run `npm ci` and build again");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + name, e);
        }
    }

    /** Answers with the named file, or 404 when it is not one of {@link #FILES}. */
    void serve(Context ctx, String name) {
        Asset a = assets.get(name);
        if (a == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such dashboard file");
            return;
        }
        ctx.header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff")
                .contentType(a.type()).result(a.bytes());
    }
}
