package dev.hypha.cli.model;

import dev.hypha.cli.Hypha;
import dev.hypha.ml.store.ModelStore;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;

/** Opens the model store of the home folder the command line points at. */
final class StoreAccess {
    private StoreAccess() {
    }

    static ModelStore store(CommandSpec spec) {
        return new ModelStore(Hypha.of(spec).resolvedHome(), Clock.systemUTC());
    }
}
