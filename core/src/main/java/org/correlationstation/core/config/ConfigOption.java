package org.correlationstation.core.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One typed setting (SPEC §8): an environment variable name, the {@code --kebab-case} job argument
 * derived from it, a type, an optional default, a description and a parser that rejects bad
 * values with a message naming the option and the value.
 *
 * <p>Options are compared by identity; the catalogue is {@link Options}.
 *
 * @param <T> the value type (String, Integer, Long, Double or Boolean)
 */
public final class ConfigOption<T> {

    /** Turns the raw text of a value into a typed value, or throws with the reason. */
    @FunctionalInterface
    public interface Parser<T> {
        /**
         * @param raw the trimmed, non-empty raw text
         * @throws IllegalArgumentException with a short reason, e.g. "expected an integer ≥ 1"
         */
        T parse(String raw);
    }

    static final String REDACTED = "***";

    private final String envName;
    private final String argName;
    private final Class<T> type;
    private final T defaultValue;
    private final String description;
    private final boolean secret;
    private final String valueHint;
    private final Parser<T> parser;
    private final Function<T, String> formatter;
    private final UnaryOperator<String> redactor;

    private ConfigOption(Builder<T> b) {
        this.envName = b.envName;
        this.argName = toArgName(b.envName);
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.description = b.description;
        this.secret = b.secret;
        this.valueHint = b.valueHint;
        this.parser = b.parser;
        this.formatter = b.formatter;
        this.redactor = b.redactor;
    }

    /** Starts an option named by its environment variable, e.g. {@code CORR_WINDOW_SECONDS}. */
    public static <T> Builder<T> builder(String envName, Class<T> type, Parser<T> parser) {
        return new Builder<>(envName, type, parser);
    }

    /** {@code CORR_WINDOW_SECONDS} → {@code --corr-window-seconds}. */
    public static String toArgName(String envName) {
        return "--" + envName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The environment variable, e.g. {@code CORR_WINDOW_SECONDS}. */
    public String envName() {
        return envName;
    }

    /** The job argument, with its leading dashes, e.g. {@code --corr-window-seconds}. */
    public String argName() {
        return argName;
    }

    public Class<T> type() {
        return type;
    }

    /** The default, or empty when the option is unset unless configured. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public boolean hasDefault() {
        return defaultValue != null;
    }

    public String description() {
        return description;
    }

    /** Whether values are (partly) secret and must never be logged as they are. */
    public boolean isSecret() {
        return secret;
    }

    /** What values look like, e.g. "integer ≥ 1" or "otlp_proto | otlp_json". */
    public String valueHint() {
        return valueHint;
    }

    /**
     * Parses a raw value (surrounding blanks are ignored).
     *
     * @throws IllegalArgumentException naming the option and the value (redacted for secrets)
     */
    public T parse(String raw) {
        Objects.requireNonNull(raw, "raw");
        String trimmed = raw.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid value '' for " + envName + " (" + argName + "): expected " + valueHint);
        }
        T value;
        try {
            value = parser.parse(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value '" + redact(trimmed) + "' for " + envName
                    + " (" + argName + "): " + e.getMessage(), null);
        }
        if (value == null) {
            throw new IllegalStateException("parser of " + envName + " returned null");
        }
        return value;
    }

    /** The canonical text of a value, as accepted by {@link #parse} (not redacted). */
    public String format(T value) {
        return formatter.apply(value);
    }

    /** A value as it may be logged: secrets redacted. */
    public String display(T value) {
        return redact(format(value));
    }

    /** Redacts the text of a value when the option is secret. */
    public String redact(String rendered) {
        if (!secret || rendered == null) {
            return rendered;
        }
        return redactor != null ? redactor.apply(rendered) : REDACTED;
    }

    /**
     * The default as {@code docs/configuration.md} shows it: {@code `60`}, or {@code unset} when
     * the option has no default.
     */
    public String documentedDefault() {
        return hasDefault() ? "`" + format(defaultValue) + "`" : "unset";
    }

    @Override
    public String toString() {
        return envName;
    }

    /** Builds a {@link ConfigOption}. */
    public static final class Builder<T> {
        private final String envName;
        private final Class<T> type;
        private final Parser<T> parser;
        private T defaultValue;
        private String description = "";
        private boolean secret;
        private String valueHint;
        private Function<T, String> formatter = String::valueOf;
        private UnaryOperator<String> redactor;

        private Builder(String envName, Class<T> type, Parser<T> parser) {
            if (envName == null || !envName.matches("[A-Z][A-Z0-9_]*")) {
                throw new IllegalArgumentException("environment names are UPPER_SNAKE_CASE: " + envName);
            }
            this.envName = envName;
            this.type = Objects.requireNonNull(type, "type");
            this.parser = Objects.requireNonNull(parser, "parser");
            this.valueHint = type.getSimpleName().toLowerCase(Locale.ROOT);
        }

        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            return this;
        }

        public Builder<T> description(String text) {
            this.description = Objects.requireNonNull(text, "description");
            return this;
        }

        /** Marks values secret: logged as {@code ***}, or through {@code redactor} when given. */
        public Builder<T> secret(UnaryOperator<String> redactor) {
            this.secret = true;
            this.redactor = redactor;
            return this;
        }

        public Builder<T> secret() {
            return secret(null);
        }

        public Builder<T> valueHint(String hint) {
            this.valueHint = Objects.requireNonNull(hint, "hint");
            return this;
        }

        public Builder<T> formatter(Function<T, String> formatter) {
            this.formatter = Objects.requireNonNull(formatter, "formatter");
            return this;
        }

        public ConfigOption<T> build() {
            ConfigOption<T> option = new ConfigOption<>(this);
            if (defaultValue != null) {
                // A default must survive its own parser: what the docs show can be typed back.
                T reparsed = option.parse(option.format(defaultValue));
                if (!reparsed.equals(defaultValue)) {
                    throw new IllegalStateException("default of " + envName + " does not round-trip");
                }
            }
            return option;
        }
    }
}
