package org.correlationstation.core.model;

import java.util.Locale;

/** OpenTelemetry severity numbers and their short names (SPEC §2). */
public final class Severity {
    public static final int TRACE = 1;
    public static final int DEBUG = 5;
    public static final int INFO = 9;
    public static final int WARN = 13;
    public static final int ERROR = 17;
    public static final int FATAL = 21;

    private Severity() {}

    public static boolean isError(int severityNumber) {
        return severityNumber >= ERROR;
    }

    /** The OTel short name of a severity number's range, or null for 0 (unspecified). */
    public static String shortName(int severityNumber) {
        if (severityNumber <= 0) return null;
        if (severityNumber < DEBUG) return "TRACE";
        if (severityNumber < INFO) return "DEBUG";
        if (severityNumber < WARN) return "INFO";
        if (severityNumber < ERROR) return "WARN";
        if (severityNumber < FATAL) return "ERROR";
        return "FATAL";
    }

    /**
     * Maps a text severity case-insensitively (the old service's vocabulary); 0 when it is not one of
     * them.
     */
    public static int fromText(String text) {
        if (text == null) return 0;
        switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "TRACE": return TRACE;
            case "DEBUG": return DEBUG;
            case "INFO": return INFO;
            case "WARN":
            case "WARNING": return WARN;
            case "ERROR": return ERROR;
            case "FATAL":
            case "CRITICAL": return FATAL;
            default: return 0;
        }
    }
}
