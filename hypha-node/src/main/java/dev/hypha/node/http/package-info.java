/**
 * The node's HTTP server: binds {@code api.listen} and serves the routes each area contributes through
 * {@link dev.hypha.node.http.ApiRoutes}. Knows no area itself (areas depend on this package, never the reverse).
 */
package dev.hypha.node.http;
