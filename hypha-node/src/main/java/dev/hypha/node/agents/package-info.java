/**
 * The agent runtime (issue 16): an agent ({@link AgentSpec}) with its own AgentAccount, whose spending policy the
 * chain enforces, calls MCP tools ({@link dev.hypha.node.mcp.PayingMcpClient}) chosen by its model through the
 * gateway under constrained decoding ({@link ToolMenu}, {@link ChatModel}) or listed as fixed steps, found
 * directly or through the ERC-8004 identity registry ({@link ServiceDirectory}), and pays them from the account with
 * a session key ({@link AgentAccountPayer}); a spec may also let it GET text and JSON from listed hosts
 * ({@link HttpFetch}, {@link FetchPolicy}). Every payment is journaled before it is booked on chain and every step
 * after its answer ({@link SpendJournal}), so a runtime killed at any point resumes without paying twice; a readable
 * log ({@link AgentLog}) shows each step, payment and result.
 */
package dev.hypha.node.agents;
