/**
 * The data of the provenance contracts (AssetRegistry, RoyaltySplitter, AccessGrants): asset kinds, licences with their
 * commercial terms, lineage edges, asset status, checked in Java with the contracts' own rules so a bad registration
 * fails before gas is spent. The clients that send and read them are {@code dev.hypha.chain.deploy.AssetRegistryClient},
 * {@code RoyaltySplitterClient} and {@code AccessGrantsClient}.
 */
package dev.hypha.chain.assets;
