package dev.hypha.cli.model;

import dev.hypha.ml.store.ModelStore;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Opens the model store of the home folder the command line points at, first removing what killed imports left in
 * its {@code tmp/} (imports still running elsewhere keep theirs: see {@link ModelStore#removeStaleTemporaryFiles}).
 */
final class StoreAccess {
    private StoreAccess() {
    }

    static ModelStore store(CommandSpec spec) {
        ModelStore store = new ModelStore(GlobalOptions.of(spec).resolvedHome(), Clock.systemUTC());
        store.removeStaleTemporaryFiles();
        return store;
    }
}
