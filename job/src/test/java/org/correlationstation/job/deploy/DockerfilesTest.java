package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles parse (hadolint is not packaged for Debian, Docker is not on the build machines):
 * every instruction is a Dockerfile instruction, the first is FROM (or ARG), base images are pinned
 * to exact versions (the job's to the Flink 2.2 image), and COPY sources exist in the repository or
 * are build outputs under target/.
 */
class DockerfilesTest {
    private static final Set<String> INSTRUCTIONS = Set.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD",
            "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");

    record Instruction(int line, String keyword, String args) {}

    @Test
    void everyDockerfileParses() throws Exception {
        List<Path> files = RepoFiles.files(RepoFiles.path("docker"), "Dockerfile");
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("job.Dockerfile", "service.Dockerfile");
        for (Path file : files) {
            List<Instruction> instructions = parse(file);
            assertThat(instructions).as("%s", file).isNotEmpty();
            assertThat(instructions.get(0).keyword()).as("first instruction of %s", file).isIn("FROM", "ARG");
            for (Instruction i : instructions) {
                assertThat(INSTRUCTIONS).as("%s line %d", file, i.line()).contains(i.keyword());
                assertThat(i.args()).as("%s line %d: %s without arguments", file, i.line(), i.keyword()).isNotBlank();
                if (i.keyword().equals("FROM")) {
                    assertThat(i.args()).as("%s line %d: exact base image version", file, i.line())
                            .matches("[\\w./-]+:\\d+\\.\\d+\\.\\d+[\\w.-]*( AS \\w+)?");
                }
                if (i.keyword().equals("COPY") && !i.args().contains("--from")) {
                    String[] parts = i.args().replaceAll("--\\S+", "").trim().split("\\s+");
                    for (int s = 0; s < parts.length - 1; s++) {
                        String source = parts[s];
                        assertThat(source.contains("/target/") || Files.exists(RepoFiles.root().resolve(source)))
                                .as("%s line %d: COPY source %s exists (or is a build output)", file, i.line(), source)
                                .isTrue();
                    }
                }
            }
        }
    }

    @Test
    void theJobImageIsFlink22WithTheJarInUsrlibAndTheAgentInLib() throws Exception {
        List<Instruction> job = parse(RepoFiles.path("docker/job.Dockerfile"));
        assertThat(job.get(0).args()).isEqualTo("flink:2.2.0-java17");
        assertThat(job).filteredOn(i -> i.keyword().equals("COPY")).extracting(Instruction::args)
                .anySatisfy(a -> assertThat(a).contains("correlation-station-job-0.2.0-SNAPSHOT.jar /opt/flink/usrlib/"))
                .anySatisfy(a -> assertThat(a).contains("pyroscope-agent.jar /opt/flink/lib/"));
    }

    @Test
    void theParserRejectsWhatDockerWould() throws Exception {
        Path bad = Files.createTempFile("bad", ".Dockerfile");
        Files.writeString(bad, "FROM flink:2.2.0-java17\nCOPPY a b\n");
        assertThat(parse(bad)).extracting(Instruction::keyword).contains("COPPY").doesNotHaveDuplicates();
        assertThat(INSTRUCTIONS).doesNotContain("COPPY");
        Files.delete(bad);
    }

    /** Instructions with their arguments; comments and blank lines dropped, `\` continuations joined. */
    static List<Instruction> parse(Path file) throws Exception {
        List<Instruction> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        StringBuilder current = null;
        int start = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank() || line.trim().startsWith("#")) continue;
            if (current == null) {
                current = new StringBuilder();
                start = n + 1;
            }
            boolean continued = line.endsWith("\\");
            current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continued) {
                String text = current.toString().trim();
                int space = text.indexOf(' ');
                String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase();
                out.add(new Instruction(start, keyword, space < 0 ? "" : text.substring(space + 1).trim()));
                current = null;
            }
        }
        assertThat(current).as("%s ends inside a continued line", file).isNull();
        return out;
    }
}
