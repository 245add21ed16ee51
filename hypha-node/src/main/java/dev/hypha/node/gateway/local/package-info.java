/**
 * The local backend: answers from the models of this machine's store with hypha-ml's engine. {@link
 * dev.hypha.node.gateway.local.LocalBackend} loads models on first use and unloads them when their keep-alive ends;
 * {@link dev.hypha.node.gateway.AdmissionQueue} bounds how many requests wait; {@link
 * dev.hypha.node.gateway.local.ResidentModel} runs one model's requests one at a time (the engine's rule: a model's
 * sessions must not generate concurrently), reusing the KV cache of the longest common prompt prefix.
 */
package dev.hypha.node.gateway.local;
