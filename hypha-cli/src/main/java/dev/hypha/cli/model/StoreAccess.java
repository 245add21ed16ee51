package dev.hypha.cli.model;

import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.store.ModelStoreException;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Opens the model store of the home folder the command line points at, first removing what killed imports left in
 * its {@code tmp/} (imports still running elsewhere keep theirs: see {@link ModelStore#removeStaleTemporaryFiles}).
 * The cleanup is best effort: a store that cannot be cleaned (a read-only home) can still be read.
 */
final class StoreAccess {
    private static final System.Logger LOG = System.getLogger(StoreAccess.class.getName());

    private StoreAccess() {
    }

    static ModelStore store(CommandSpec spec) {
        ModelStore store = new ModelStore(GlobalOptions.of(spec).resolvedHome(), Clock.systemUTC());
        try {
            store.removeStaleTemporaryFiles();
        } catch (ModelStoreException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not clean the store's tmp folder: {0}", e.getMessage());
        }
        return store;
    }
}
