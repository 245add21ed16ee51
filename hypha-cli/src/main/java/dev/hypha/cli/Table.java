package dev.hypha.cli;

import dev.hypha.core.text.TerminalText;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/**
 * Rows printed as aligned columns, three spaces apart, numbers right-aligned. Cells may come from outside (a model
 * name a client sent), so control characters are shown escaped, never sent to the terminal raw.
 */
final class Table {
    private Table() {}

    /**
     * @param rows         the header first, then the rows; all of the same length
     * @param rightAligned the columns (0-based) whose cells are right-aligned
     */
    static void print(PrintWriter out, List<String[]> rows, int... rightAligned) {
        List<String[]> safe = rows.stream()
                .map(r -> Arrays.stream(r).map(TerminalText::line).toArray(String[]::new)).toList();
        int columns = safe.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : safe) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        boolean[] right = new boolean[columns];
        for (int c : rightAligned) {
            right[c] = true;
        }
        for (String[] row : safe) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                if (c > 0) {
                    line.append("   ");
                }
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(right[c] ? pad + row[c] : row[c] + pad);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
