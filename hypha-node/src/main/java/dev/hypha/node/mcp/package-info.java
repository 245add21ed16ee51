/**
 * MCP (Model Context Protocol) for Hypha (issue 16): the node serves its services as MCP tools, free or paid through
 * x402's MCP binding, and agents call MCP tools, paying when a tool asks. The protocol, tool schemas and input
 * validation are the official MCP Java SDK's ({@code io.modelcontextprotocol.sdk}); this package adds the Streamable
 * HTTP endpoint on the node's Javalin server ({@link McpHttpTransport}), the x402 binding ({@link X402McpBinding}),
 * the paid-tool server ({@link McpToolServer}; metered tools, x402 {@code upto} over the provider's payment channels,
 * are {@link MeteredMcpTool}s) and the paying client ({@link PayingMcpClient}).
 */
package dev.hypha.node.mcp;
