package dev.hypha.ml.store;

/**
 * What an import did.
 *
 * @param manifest     the manifest now stored under the name
 * @param deduplicated the store already held a blob with this content, so nothing new was stored
 * @param replaced     the name pointed at another model before (that model's blob is deleted if nothing else uses it)
 */
public record ImportResult(ModelManifest manifest, boolean deduplicated, boolean replaced) {
}
