package org.correlationstation.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsStatementsOutsideQuotesAndComments() {
        SqlScript script = SqlScript.parse("t.sql", """
                -- a comment; with a semicolon
                SET 'table.local-time-zone' = 'UTC';
                /* block; comment */
                CREATE TABLE t (a STRING) WITH ('k' = 'v;w', 'q' = 'it''s');
                SELECT `odd;name` /*+ OPTIONS('x'='y') */ FROM t
                """);
        assertThat(script.statements()).containsExactly(
                "SET 'table.local-time-zone' = 'UTC'",
                "CREATE TABLE t (a STRING) WITH ('k' = 'v;w', 'q' = 'it''s')",
                "SELECT `odd;name` /*+ OPTIONS('x'='y') */ FROM t");
    }

    @Test
    void aStatementSetIsOneStatement() {
        SqlScript script = SqlScript.parse("t.sql", """
                EXECUTE STATEMENT SET
                BEGIN
                  INSERT INTO a SELECT * FROM x;
                  INSERT INTO b SELECT * FROM y;
                END;
                SELECT 1;
                """);
        assertThat(script.statements()).hasSize(2);
        assertThat(script.statements().get(0)).startsWith("EXECUTE STATEMENT SET").endsWith("END")
                .contains("INSERT INTO a SELECT * FROM x;").contains("INSERT INTO b SELECT * FROM y;");
    }

    @Test
    void unterminatedQuotesAndStatementSetsAreErrors() {
        assertThatThrownBy(() -> SqlScript.parse("t.sql", "SELECT 'oops")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> SqlScript.parse("t.sql", "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;"))
                .hasMessageContaining("without END");
    }

    @Test
    void everyBundledScriptLoadsAndEachJobScriptHasOneInsert() {
        assertThat(SqlScript.load("tables.sql").statements())
                .filteredOn(s -> s.startsWith("CREATE TABLE")).hasSize(3);
        for (String name : List.of("log_span_join.sql", "error_traces_per_minute.sql", "slowest_traces.sql",
                "late_event_share.sql", "failing_service_pairs.sql")) {
            assertThat(SqlScript.load(name).statements()).as(name)
                    .filteredOn(s -> s.startsWith("INSERT INTO")).hasSize(1);
        }
        assertThat(SqlScript.load("otlp_tables.sql").statements()).hasSize(2)
                .allSatisfy(s -> assertThat(s).startsWith("CREATE TABLE otlp_"));
        assertThatThrownBy(() -> SqlScript.load("no_such_script.sql")).hasMessageContaining("no SQL script");
    }
}
