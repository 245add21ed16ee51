/**
 * Verification of training leases by replay (issue 12), the node side of TrainingVerifier: what a provider serves and
 * answers ({@link dev.hypha.node.verify.CheckpointIndex}, {@link dev.hypha.node.verify.VerificationRoutes},
 * {@link dev.hypha.node.verify.DisputeResponder}), and the verifier daemon that audits commitments at a sampling rate,
 * challenges a wrong one, plays the bisection and referees other disputes ({@link dev.hypha.node.verify.VerifierDaemon}).
 * Every state a side uses is checked against a root on chain before it is trusted.
 */
package dev.hypha.node.verify;
