package org.correlationstation.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A SQL script as the SQL client reads it: statements end with {@code ;} outside quotes and comments;
 * {@code --} and {@code /* *\/} comments are dropped; an {@code EXECUTE STATEMENT SET BEGIN … END;} block
 * is one statement.
 */
public final class SqlScript {
    private final String name;
    private final List<String> statements;

    private SqlScript(String name, List<String> statements) {
        this.name = name;
        this.statements = List.copyOf(statements);
    }

    public String name() {
        return name;
    }

    public List<String> statements() {
        return statements;
    }

    /**
     * A file, else a script bundled in this jar under {@code sql/} (e.g. {@code log_span_join.sql}), so
     * that the Flink operator can name a bundled script without mounting files.
     */
    public static SqlScript load(String location) {
        Path path = Path.of(location);
        try {
            if (Files.isRegularFile(path)) return parse(location, Files.readString(path));
            String resource = "sql/" + path.getFileName();
            try (InputStream in = SqlScript.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) throw new IllegalArgumentException("no SQL script " + location + " (neither a file nor a bundled script)");
                return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL script " + location, e);
        }
    }

    public static SqlScript parse(String name, String text) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*' && !(i + 2 < n && text.charAt(i + 2) == '+')) {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) throw new IllegalArgumentException(name + ": unterminated comment");
                i = end + 2;
                current.append(' ');
                continue;
            }
            if (c == '\'' || c == '`' || c == '"') {
                int end = i + 1;
                while (true) {
                    if (end >= n) throw new IllegalArgumentException(name + ": unterminated " + c + " quote");
                    if (text.charAt(end) == c) {
                        if (end + 1 < n && text.charAt(end + 1) == c) { end += 2; continue; } // doubled quote
                        break;
                    }
                    end++;
                }
                current.append(text, i, end + 1);
                i = end + 1;
                continue;
            }
            if (c == ';') {
                String statement = current.toString().strip();
                if (isOpenStatementSet(statement)) {
                    current.append(';');
                } else {
                    if (!statement.isEmpty()) statements.add(statement);
                    current.setLength(0);
                }
                i++;
                continue;
            }
            current.append(c);
            i++;
        }
        String rest = current.toString().strip();
        if (!rest.isEmpty()) {
            if (isOpenStatementSet(rest)) throw new IllegalArgumentException(name + ": statement set without END");
            statements.add(rest);
        }
        return new SqlScript(name, statements);
    }

    /** Inside {@code EXECUTE STATEMENT SET BEGIN …} until its {@code END}. */
    private static boolean isOpenStatementSet(String statement) {
        String s = statement.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        return (s.startsWith("EXECUTE STATEMENT SET") || s.startsWith("BEGIN STATEMENT SET")) && !s.endsWith(" END");
    }
}
