package org.correlationstation.core.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version every service reports (GET /, /health, start-up logs), filtered in by the build. */
public final class ProjectVersion {
    private static final String VERSION = read();

    private ProjectVersion() {}

    /** The version, or {@code unknown} when run from classes the build did not filter. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = ProjectVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
