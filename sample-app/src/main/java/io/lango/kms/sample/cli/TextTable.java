package io.lango.kms.sample.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * Prints rows of cells as left-aligned columns separated by two spaces.
 */
final class TextTable {

    private static final String GAP = "  ";

    private TextTable() {
    }

    /**
     * Prints {@code rows}; every row must have the same number of cells. The last column is not padded, so lines
     * carry no trailing spaces.
     */
    static void print(PrintStream out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int column = 0; column < columns; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < columns; column++) {
                boolean last = column == columns - 1;
                line.append(last ? row[column] : pad(row[column], widths[column])).append(last ? "" : GAP);
            }
            out.println(line);
        }
    }

    private static String pad(String cell, int width) {
        return cell + " ".repeat(width - cell.length());
    }
}
