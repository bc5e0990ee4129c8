package org.correlationstation.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code docs/configuration.md} documents every option exactly as the code defines it. */
class ConfigurationDocsTest {

    private static final Pattern ENV_CELL = Pattern.compile("`[A-Z][A-Z0-9_]*`");
    private static final Pattern UNESCAPED_PIPE = Pattern.compile("(?<!\\\\)\\|");

    /** The first directory, from the working directory up, whose pom.xml has {@code <modules>}. */
    static Path repoRoot() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path pom = d.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
                return d;
            }
        }
        throw new IllegalStateException("no pom.xml with <modules> above " + dir);
    }

    /** Rows of every table whose first cell is a backticked environment name, by that name. */
    private static Map<String, List<String>> documentedRows(List<String> lines) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : lines) {
            String trimmed = line.trim();
            if (!trimmed.startsWith("|")) {
                continue;
            }
            String inner = trimmed.substring(1, trimmed.endsWith("|") && trimmed.length() > 1
                    ? trimmed.length() - 1 : trimmed.length());
            List<String> cells = new ArrayList<>();
            for (String cell : UNESCAPED_PIPE.split(inner, -1)) {
                cells.add(cell.trim());
            }
            if (cells.isEmpty() || !ENV_CELL.matcher(cells.get(0)).matches()) {
                continue;
            }
            String env = cells.get(0).substring(1, cells.get(0).length() - 1);
            if (rows.put(env, cells) != null) {
                fail("docs/configuration.md documents " + env + " twice");
            }
        }
        return rows;
    }

    @Test
    void everyOptionIsDocumentedExactlyAsInTheCode() throws IOException {
        Path doc = repoRoot().resolve("docs/configuration.md");
        assertThat(doc).as("docs/configuration.md").isRegularFile();
        Map<String, List<String>> rows = documentedRows(Files.readAllLines(doc, StandardCharsets.UTF_8));

        List<String> problems = new ArrayList<>();
        for (ConfigOption<?> option : Options.all()) {
            List<String> cells = rows.get(option.envName());
            if (cells == null) {
                problems.add(option.envName() + ": not documented");
                continue;
            }
            if (cells.size() != 4) {
                problems.add(option.envName() + ": expected 4 columns (env | argument | default | meaning), got "
                        + cells.size());
                continue;
            }
            String arg = "`" + option.argName() + "`";
            if (!cells.get(1).equals(arg)) {
                problems.add(option.envName() + ": argument is " + cells.get(1) + ", the code says " + arg);
            }
            if (!cells.get(2).equals(option.documentedDefault())) {
                problems.add(option.envName() + ": default is " + cells.get(2) + ", the code says "
                        + option.documentedDefault());
            }
            if (cells.get(3).isEmpty()) {
                problems.add(option.envName() + ": no meaning given");
            }
        }
        for (String env : rows.keySet()) {
            if (Options.byEnvName(env).isEmpty()) {
                problems.add(env + ": documented, but not an option of the code");
            }
        }
        assertThat(problems).as("docs/configuration.md vs. Options").isEmpty();

        List<String> codeOrder = new ArrayList<>();
        for (ConfigOption<?> option : Options.all()) {
            codeOrder.add(option.envName());
        }
        assertThat(new ArrayList<>(rows.keySet())).as("documentation order").containsExactlyElementsOf(codeOrder);
    }

    @Test
    void docsExplainPrecedenceKafkaPropertiesAndSecrets() throws IOException {
        String doc = Files.readString(repoRoot().resolve("docs/configuration.md"));
        assertThat(doc).contains("override").contains("KAFKA_PROPERTIES_FILE").contains("sasl.jaas.config")
                .contains("ssl.truststore.location").contains("never logged");
    }
}
