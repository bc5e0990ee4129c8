package org.correlationstation.core.logtext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A pattern's named groups renamed to names Java accepts. Java allows only letters and digits in a
 * group name, so {@code (?<trace_id>…)}, the name this option's users (and the old Python service's
 * patterns) write, does not compile as it is; Python also spells groups {@code (?P<name>…)} and
 * back-references {@code (?P=name)}. Every named group becomes {@code g1}, {@code g2}, … in order of
 * first appearance, in both spellings, and so do back-references ({@code \k<name>}, {@code (?P=name)}).
 * Escapes, {@code \Q…\E} quotes and character classes are copied untouched. Anything else is Java's
 * syntax and is left to {@link Pattern} to judge.
 */
final class NamedGroups {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The pattern with Java group names. */
    final String javaPattern;
    private final Map<String, String> javaNames = new LinkedHashMap<>();

    private NamedGroups(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 8);
        int classDepth = 0;
        int i = 0;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i = escape(regex, i, out);
            } else if (c == '[') {
                classDepth++;
                i = classStart(regex, i, out);
            } else if (classDepth > 0) {
                if (c == ']') classDepth--;
                out.append(c);
                i++;
            } else if (regex.startsWith("(?P<", i)) {
                i = name(regex, i, i + 4, '>', "(?<", out);
            } else if (regex.startsWith("(?P=", i)) {
                i = name(regex, i, i + 4, ')', "\\k<", out);
            } else if (regex.startsWith("(?<", i) && i + 3 < regex.length()
                    && regex.charAt(i + 3) != '=' && regex.charAt(i + 3) != '!') { // not a look-behind
                i = name(regex, i, i + 3, '>', "(?<", out);
            } else {
                out.append(c);
                i++;
            }
        }
        this.javaPattern = out.toString();
    }

    /** @throws IllegalArgumentException when a group name is not an identifier */
    static NamedGroups of(String regex) {
        return new NamedGroups(regex);
    }

    /** The Java name of the group written {@code name}, or null when the pattern names no such group. */
    String javaName(String name) {
        return javaNames.get(name);
    }

    /** Copies a class's opening {@code [}, {@code [^}, and a {@code ]} right after it, which Java reads as a literal. */
    private static int classStart(String regex, int i, StringBuilder out) {
        int stop = i + 1;
        if (stop < regex.length() && regex.charAt(stop) == '^') stop++;
        if (stop < regex.length() && regex.charAt(stop) == ']') stop++;
        out.append(regex, i, stop);
        return stop;
    }

    /** Copies the escape at {@code i} ({@code \x}, a whole {@code \Q…\E}, or {@code \k<name>} renamed). */
    private int escape(String regex, int i, StringBuilder out) {
        if (regex.startsWith("\\Q", i)) {
            int end = regex.indexOf("\\E", i + 2);
            int stop = end < 0 ? regex.length() : end + 2;
            out.append(regex, i, stop);
            return stop;
        }
        if (regex.startsWith("\\k<", i)) {
            return name(regex, i, i + 3, '>', "\\k<", out);
        }
        int stop = Math.min(regex.length(), i + 2);
        out.append(regex, i, stop);
        return stop;
    }

    /**
     * Renames the name that starts at {@code from} and ends before {@code close}, writing
     * {@code opening + javaName + '>'}; returns the index after {@code close}. Without {@code close}
     * the rest (from the construct's {@code start}) is copied as it is, for Pattern to report.
     */
    private int name(String regex, int start, int from, char close, String opening, StringBuilder out) {
        int end = regex.indexOf(close, from);
        if (end < 0) {
            out.append(regex, start, regex.length());
            return regex.length();
        }
        String name = regex.substring(from, end);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("group name '" + name + "' is not a name (letters, digits, _)");
        }
        String javaName = javaNames.computeIfAbsent(name, n -> "g" + (javaNames.size() + 1));
        out.append(opening).append(javaName).append('>');
        return end + 1;
    }
}
