package dev.hypha.cli.model;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.text.TerminalText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How model facts are written for people: sizes, counts, dates, short ids, aligned tables. */
final class Formats {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Formats() {
    }

    /** Bytes in binary units with one decimal: 812 B, 1.5 KiB, 27.0 MiB, 4.1 GiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Parameter counts the way model cards write them: 950, 12.3K, 494.0M, 7.2B. */
    static String count(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        String[] units = {"K", "M", "B", "T"};
        double value = n;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
    }

    static String date(Instant instant) {
        return DATE.format(instant);
    }

    /**
     * The last 12 characters of the content id: every CIDv1 of a given kind starts with the same few characters
     * ("bafkrei", "bafybei"), so the end is what tells models apart.
     */
    static String shortId(ContentId cid) {
        String text = cid.toString();
        return text.length() <= 12 ? text : text.substring(text.length() - 12);
    }

    /**
     * Rows padded into columns separated by three spaces; the last column is not padded. Cells often come from a model
     * file (names, templates, metadata), so control characters are shown as visible escapes, never sent raw.
     */
    static List<String> table(List<String[]> untrustedRows) {
        List<String[]> rows = untrustedRows.stream()
                .map(row -> java.util.Arrays.stream(row).map(TerminalText::line).toArray(String[]::new)).toList();
        int columns = rows.isEmpty() ? 0 : rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        List<String> lines = new ArrayList<>(rows.size());
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) {
                    line.append(" ".repeat(width[c] - row[c].length() + 3));
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
