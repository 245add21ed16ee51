package dev.hypha.node.http;

import io.javalin.Javalin;

/**
 * One area's endpoints on the node's HTTP API (health, metrics; later the gateway, the provider, the dashboard).
 * Each area adds its routes here instead of the server knowing every area, so a new area never edits the server.
 */
@FunctionalInterface
public interface ApiRoutes {

    /** Adds this area's handlers to the API before it starts. */
    void addTo(Javalin api);
}
