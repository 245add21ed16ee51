package dev.hypha.cli;

import dev.hypha.core.text.TerminalText;
import dev.hypha.node.apikeys.ApiKeys;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha apikey create|list|revoke}: the keys clients must send ({@code Authorization: Bearer <key>}) to a
 * gateway that listens beyond loopback. Only hashes are stored ({@link ApiKeys}), so a key is shown once, at create.
 */
@Command(name = "apikey", description = "Create, list or revoke the API keys a gateway beyond loopback requires.",
        subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.ListKeys.class, ApiKeyCommand.Revoke.class})
final class ApiKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    static ApiKeys open(Session session) {
        return ApiKeys.open(ApiKeys.file(session.home()));
    }

    @Command(name = "create", description = "Make a new key and print it (once: only its hash is kept).")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "What the key is for, e.g. laptop (letters, digits, . _ -).")
        String name;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            PrintWriter out = session.out();
            try (ApiKeys keys = open(session)) {
                ApiKeys.Created created = keys.create(name);
                out.println(created.key());
                PrintWriter err = session.err();
                err.println("Created API key '" + created.name() + "'. Copy it now: only its hash is kept, so it cannot"
                        + " be shown again.");
                err.println("Clients send it as 'Authorization: Bearer <key>' (OpenAI clients: the API key setting).");
                err.flush();
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List the keys: name, when created, active or revoked (never the keys).")
    static final class ListKeys implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            PrintWriter out = session.out();
            if (!java.nio.file.Files.exists(ApiKeys.file(session.home()))) {
                out.println("No API keys yet (create one with `hypha apikey create NAME`).");
                out.flush();
                return ExitCodes.OK;
            }
            try (ApiKeys keys = open(session)) {
                List<ApiKeys.Info> all = keys.list();
                if (all.isEmpty()) {
                    out.println("No API keys yet (create one with `hypha apikey create NAME`).");
                } else {
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"NAME", "CREATED", "STATUS"});
                    for (ApiKeys.Info k : all) {
                        rows.add(new String[] {k.name(), seconds(k.created()),
                            k.revoked().map(at -> "revoked " + seconds(at)).orElse("active")});
                    }
                    Table.print(out, rows);
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String seconds(java.time.Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    @Command(name = "revoke", description = "Revoke a key: a running gateway refuses it from its next request on.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The key's name (see `hypha apikey list`).")
        String name;

        @Override
        public Integer call() {
            Session session = Session.of(spec);
            try (ApiKeys keys = open(session)) {
                ApiKeys.Info k = keys.revoke(name);
                session.out().println("API key '" + TerminalText.line(k.name()) + "' is revoked (since "
                        + seconds(k.revoked().orElseThrow()) + "); requests with it are refused.");
            }
            session.out().flush();
            return ExitCodes.OK;
        }
    }
}
