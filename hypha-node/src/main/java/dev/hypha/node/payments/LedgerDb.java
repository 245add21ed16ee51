package dev.hypha.node.payments;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * One ledger's SQLite file: WAL journal and synchronous=FULL, so a committed transaction survives a kill -9 or a
 * power cut; every change is one transaction.
 */
final class LedgerDb implements AutoCloseable {
    private final Path file;
    final Connection db;

    LedgerDb(Path file, List<String> schema) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                for (String statement : schema) {
                    s.execute(statement);
                }
            }
            db.setAutoCommit(false);
            db.commit();
        } catch (SQLException | IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot open the payment ledger " + file + ": " + e.getMessage(), e);
        }
    }

    HyphaException fail(String what, SQLException e) {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what the user needs to see
        }
        return new HyphaException(ErrorCategory.IO, "payment ledger " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot close the payment ledger " + file + ": " + e.getMessage(), e);
        }
    }
}
