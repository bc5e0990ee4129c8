package org.correlationstation.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class FreePortsTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void theEphemeralRangeIsReadWhole() throws IOException {
        String range = new String(Files.readAllBytes(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).trim();
        // readAllBytes may come back short on a /proc file too; the kernel's floor is at least 1024.
        assertThat(FreePorts.ephemeralLow()).isGreaterThanOrEqualTo(1024);
        if (range.length() > 5) assertThat(range).startsWith(Integer.toString(FreePorts.ephemeralLow()));
    }

    @Test
    void portsAreDistinctBelowTheEphemeralRangeAndBindable() throws IOException {
        int[] ports = FreePorts.distinct(8);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(8);
        assertThat(Arrays.stream(ports).max().getAsInt()).isLessThan(FreePorts.ephemeralLow());
        try (ServerSocket s = new ServerSocket(ports[0])) {
            assertThat(s.getLocalPort()).isEqualTo(ports[0]);
        }
    }

    @Test
    void aPortIsNeverHandedOutTwice() {
        int first = FreePorts.one();
        for (int i = 0; i < 200; i++) assertThat(FreePorts.one()).isNotEqualTo(first);
    }

    @Test
    void aPartneredPortHasItsPartnerFreeAndBothBelowTheRange() throws IOException {
        int port = FreePorts.withPartner(10_000);
        assertThat(port + 10_000).isLessThan(FreePorts.ephemeralLow());
        try (ServerSocket a = new ServerSocket(port); ServerSocket b = new ServerSocket(port + 10_000)) {
            assertThat(b.getLocalPort()).isEqualTo(port + 10_000);
        }
    }
}
