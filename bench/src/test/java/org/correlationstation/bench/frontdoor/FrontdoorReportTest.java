package org.correlationstation.bench.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.correlationstation.bench.check.RecordChecker;
import org.junit.jupiter.api.Test;

class FrontdoorReportTest {
    private static final RecordChecker.Result OK = new RecordChecker.Result(10, 10, 0, 0, List.of(), 400);

    @Test
    void summaryNamesProcessedRatesAndCpuPerRecord() {
        FrontdoorReport report = new FrontdoorReport();
        assertThat(report.summary()).isEqualTo("frontdoor: - records/s protobuf, - records/s JSON, - CPU per record at 12000/s");
        report.saturated.add(new FrontdoorReport.Saturated(FrontdoorBenchmark.OURS, "protobuf", 1_000_000, 10, 960_000, 16, OK, ""));
        report.saturated.add(new FrontdoorReport.Saturated(FrontdoorBenchmark.OURS, "JSON", 500_000, 10, 480_000, 12, OK, ""));
        report.saturated.add(new FrontdoorReport.Saturated(FrontdoorBenchmark.OLD, "JSON", 300_000, 10, 240_000, 10, OK, ""));
        report.constant.add(new FrontdoorReport.Constant(FrontdoorBenchmark.OURS, 12_000, 600_000, 50, 12_000_000_000L, 0, OK, ""));
        assertThat(report.summary()).isEqualTo("frontdoor: 60000 records/s protobuf, 40000 records/s JSON, 20.0 CPU per record at 12000/s");
    }

    @Test
    void comparesWithTheOldServicesFigures() {
        FrontdoorReport report = new FrontdoorReport();
        report.saturated.add(new FrontdoorReport.Saturated(FrontdoorBenchmark.OURS, "JSON", 500_000, 10, 480_000, 10, OK, ""));
        report.constant.add(new FrontdoorReport.Constant(FrontdoorBenchmark.OURS, 12_000, 600_000, 50, 15_510_000_000L, 0, OK, ""));
        String table = report.comparison(FrontdoorReport.QUOTED_OLD_SERVICE);
        assertThat(table).contains("| processed records/s, JSON | 48,000 | 24,056 | 2.00× | ≥ 3× |");
        assertThat(table).contains("| CPU µs per record at 12,000/s | 25.9 | 51.7 | 0.50× | ≤ 0.5× |");
        assertThat(FrontdoorReport.QUOTED_OLD_SERVICE.cpuMicrosPerRecord()).isCloseTo(51.67, org.assertj.core.data.Offset.offset(0.01));
    }
}
