/**
 * What both API families share on the HTTP side: bounded JSON bodies ({@link dev.hypha.node.gateway.http.JsonBody}),
 * typed field access that names the field that was wrong ({@link dev.hypha.node.gateway.http.Fields}), and streamed
 * responses that turn a vanished client into a cancelled generation ({@link dev.hypha.node.gateway.http.ResponseStream}).
 */
package dev.hypha.node.gateway.http;
