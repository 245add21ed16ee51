/**
 * Machine-readable descriptions of a stored model for supply-chain tools: a CycloneDX 1.6 ML-BOM ({@link
 * dev.hypha.node.bom.CycloneDxModelBom}, built with CycloneDX's own Java library) and an SPDX 3.0.1 document with the
 * AI profile ({@link dev.hypha.node.bom.SpdxAiDocument}). Both are deterministic for one stored model (no wall clock:
 * times are the model's import time, ids derive from its content id) and both are validated against the official JSON
 * schemas in the tests.
 */
package dev.hypha.node.bom;
