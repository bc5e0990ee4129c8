package org.correlationstation.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcCpuTest {
    @Test
    void readsPpidUserAndSystemTimeAfterACommandNameWithParenthesesAndSpaces() {
        String line = "4242 (java (ingest) x) S 17 4242 17 0 -1 4194560 1234 0 0 0 5150 320 7 9 20 0 42 0 100 0 0";
        ProcCpu.Stat s = ProcCpu.parse(line);
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.ppid()).isEqualTo(17);
        assertThat(s.utime()).isEqualTo(5150);
        assertThat(s.stime()).isEqualTo(320);
    }

    @Test
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();
        assertThat(ProcCpu.nanos(pid)).isNotNegative();
        assertThat(ProcCpu.treeNanos(pid)).isGreaterThanOrEqualTo(ProcCpu.nanos(pid) - ProcCpu.NANOS_PER_TICK * 10);
        assertThat(ProcCpu.nanos(Long.MAX_VALUE)).isEqualTo(-1);
    }
}
