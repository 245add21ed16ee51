/**
 * Training compute as a market (issue 12, the Java side of ComputeMarket): jobs are data, never code.
 *
 * <p>A job is a training spec (the TOML that {@code hypha train} runs) stored by content id; an order's spec digest
 * is that id's sha2-256 digest, so a provider can name the spec it must fetch from the order alone. Who does what:
 * <ul>
 *   <li>{@link dev.hypha.node.compute.JobSpecs} reads a spec from the network as hostile input (size, steps, layers,
 *       batch, parameters bounded by {@link dev.hypha.node.compute.JobLimits}).</li>
 *   <li>Provider: {@link dev.hypha.node.compute.ComputeProvider} (one poll loop: {@link
 *       dev.hypha.node.compute.BidEngine} bids on orders it can serve at its {@link
 *       dev.hypha.node.compute.ComputeOffer}'s price, leases are followed, jobs run by {@link
 *       dev.hypha.node.compute.JobRunner} under resource limits, stopped when the lease closes or its funds run
 *       out), {@link dev.hypha.node.compute.JobBook} (each job's record on disk, so a restart resumes), {@link
 *       dev.hypha.node.compute.ComputeRoutes} (the tenant's hand-off, status and logs over HTTP, authenticated by
 *       {@link dev.hypha.node.compute.TenantAuth}), {@link dev.hypha.node.compute.CheckpointListener} (the seam
 *       verification hooks into).</li>
 *   <li>Tenant: {@link dev.hypha.node.compute.TenantJobs} (submit, accept the cheapest bid, hand the inputs over,
 *       status, logs, fetch with lineage, cancel).</li>
 *   <li>Content moves by id both ways: {@link dev.hypha.node.compute.PublishedContent} serves blocks at
 *       {@code GET /ipfs/{cid}?format=raw}; {@link dev.hypha.node.compute.ContentFetcher} fetches and verifies them.</li>
 * </ul>
 */
package dev.hypha.node.compute;
