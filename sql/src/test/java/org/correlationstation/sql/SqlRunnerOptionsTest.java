package org.correlationstation.sql;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlRunnerOptionsTest {
    @Test
    void aMalformedTableOptionFailsBeforeAnythingRuns() {
        SqlRunner runner = new SqlRunner("log_span_join.sql");
        assertThatThrownBy(() -> runner.tableOption("bootstrap.servers"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TABLE.KEY=VALUE");
        assertThatThrownBy(() -> runner.tableOption("=x.y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TABLE.KEY=VALUE");
        assertThatCode(() -> runner.tableOption("*.properties.bootstrap.servers=kafka:9092")).doesNotThrowAnyException();
    }
}
