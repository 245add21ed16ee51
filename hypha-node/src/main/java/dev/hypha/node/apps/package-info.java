/**
 * App incentives on the gateway's side (issue 15): a request tagged with an app id ({@link AppTag}, the
 * {@code X-Hypha-App} header) is charged the app's price through AppRewards once a provider has answered it
 * ({@link AppCharges}), paying the app's creator its share and the serving provider the rest. Who earns rewards, and why
 * wash usage cannot, is AppRewards' rule (docs/ARCHITECTURE.md "App incentives and the wash-trading rule").
 */
package dev.hypha.node.apps;
