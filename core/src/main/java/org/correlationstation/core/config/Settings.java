package org.correlationstation.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The effective configuration of one process: every option of {@link Options}, read from the
 * environment and from job arguments ({@code --name value} or {@code --name=value}); arguments
 * override the environment. Values are parsed and checked when the settings are built, so a bad
 * value fails at start-up with a message naming the option.
 *
 * <p>Rules of SPEC §8 on top of the single options:
 * <ul>
 *   <li>{@code KAFKA_ENCODING} sets {@code KAFKA_SPANS_ENCODING} and {@code KAFKA_LOGS_ENCODING}
 *       unless those are set themselves (at the same or a stronger level: an argument
 *       {@code --kafka-encoding} beats the environment variable {@code KAFKA_SPANS_ENCODING});</li>
 *   <li>{@code USE_REDIS_STATE=true} requires {@code REDIS_URL}; {@code false} forces the in-memory
 *       store ({@link #redisUrl()});</li>
 *   <li>{@code CHECKPOINT_DIR} defaults to {@code DATA_DIR/checkpoints} in local mode only
 *       ({@link #checkpointDir(boolean)});</li>
 *   <li>{@code PARALLELISM} may not exceed {@code MAX_PARALLELISM}.</li>
 * </ul>
 *
 * <p>An environment variable that is empty or blank counts as unset. An empty argument
 * ({@code --redis-url=}) unsets the option, overriding the environment. A boolean argument may be
 * given without a value ({@code --enable-pyroscope} = true).
 *
 * <p>Settings are immutable and {@link Serializable}, so a Flink job can ship them to its operators.
 * {@link #toString()} never shows secrets.
 */
public final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where an effective value came from. */
    public enum Source {
        /** A job argument. */
        ARGUMENT,
        /** An environment variable. */
        ENVIRONMENT,
        /** Another option: {@code KAFKA_ENCODING} for the two per-topic encodings. */
        DERIVED,
        /** Set by the program that runs the parts: local mode points the job at its embedded broker. */
        LOCAL_MODE,
        /** The option's default. */
        DEFAULT,
        /** Not set, and the option has no default. */
        UNSET
    }

    /** Explicitly set values, by environment name (defaults are not stored). */
    private final Map<String, Object> values;
    private final Map<String, Source> sources;

    private Settings(Map<String, Object> values, Map<String, Source> sources) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
    }

    /** Only defaults: no environment, no arguments. */
    public static Settings defaults() {
        return from(Map.of(), new String[0]);
    }

    /** The process environment ({@link System#getenv()}) and the given arguments. */
    public static Settings fromEnvironment(String... args) {
        return from(System.getenv(), args);
    }

    /**
     * Builds the settings from an environment and job arguments.
     *
     * @param env environment variables; names that are not options are ignored
     * @param args job arguments: {@code --name value} or {@code --name=value}
     * @throws IllegalArgumentException listing every problem: unknown arguments (with a close match
     *     when there is one), unparseable values (naming the option and the value), broken rules
     */
    public static Settings from(Map<String, String> env, String[] args) {
        Map<String, String> environment = env == null ? Map.of() : env;
        List<String> errors = new ArrayList<>();
        Map<ConfigOption<?>, String> fromArgs = parseArgs(args == null ? new String[0] : args, errors);

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        for (ConfigOption<?> option : Options.all()) {
            resolve(option, environment, fromArgs, values, sources, errors);
        }
        deriveEncoding(Options.KAFKA_SPANS_ENCODING, environment, fromArgs, values, sources);
        deriveEncoding(Options.KAFKA_LOGS_ENCODING, environment, fromArgs, values, sources);

        if (Boolean.TRUE.equals(values.get(Options.USE_REDIS_STATE.envName()))
                && !values.containsKey(Options.REDIS_URL.envName())) {
            errors.add("USE_REDIS_STATE=true requires REDIS_URL (--redis-url), e.g. redis://redis:6379;"
                    + " set USE_REDIS_STATE=false or leave it unset to use the in-memory store");
        }
        // a certificate without its key (or the reverse) cannot authenticate: said at start, not at the first push
        pairRequired(Options.LOKI_CLIENT_CERT_FILE, Options.LOKI_CLIENT_KEY_FILE, values, errors);
        pairRequired(Options.TEMPO_CLIENT_CERT_FILE, Options.TEMPO_CLIENT_KEY_FILE, values, errors);
        Object parallelism = values.get(Options.PARALLELISM.envName());
        Object maxParallelism = values.getOrDefault(Options.MAX_PARALLELISM.envName(),
                Options.MAX_PARALLELISM.defaultValue().orElseThrow());
        if (parallelism != null && (Integer) parallelism > (Integer) maxParallelism) {
            errors.add("PARALLELISM (" + parallelism + ") may not exceed MAX_PARALLELISM ("
                    + maxParallelism + ")");
        }

        if (errors.size() == 1) {
            throw new IllegalArgumentException(errors.get(0));
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid configuration:\n  - " + String.join("\n  - ", errors));
        }
        return new Settings(values, sources);
    }

    private static void pairRequired(ConfigOption<?> a, ConfigOption<?> b, Map<String, Object> values,
            List<String> errors) {
        if (values.containsKey(a.envName()) != values.containsKey(b.envName())) {
            errors.add(a.envName() + " and " + b.envName() + " go together: set both for a client certificate,"
                    + " or neither");
        }
    }

    /**
     * A copy with {@code option} set to {@code value} (source {@link Source#LOCAL_MODE}): how local mode
     * points every part at what it started itself, e.g. its embedded broker's address.
     */
    public <T> Settings with(ConfigOption<T> option, T value) {
        checkKnown(option);
        Map<String, Object> v = new LinkedHashMap<>(values);
        Map<String, Source> s = new LinkedHashMap<>(sources);
        v.put(option.envName(), option.type().cast(value));
        s.put(option.envName(), Source.LOCAL_MODE);
        return new Settings(v, s);
    }

    /**
     * The effective value: set, derived or the default.
     *
     * @throws IllegalStateException when the option is unset and has no default
     */
    public <T> T get(ConfigOption<T> option) {
        return find(option).orElseThrow(() -> new IllegalStateException(option.envName() + " ("
                + option.argName() + ") is not set and has no default: set the environment variable "
                + option.envName() + " or pass " + option.argName() + " <" + option.valueHint() + ">"));
    }

    /** The effective value (set, derived or the default); empty when unset without default. */
    public <T> Optional<T> find(ConfigOption<T> option) {
        checkKnown(option);
        Object value = values.get(option.envName());
        if (value != null) {
            return Optional.of(option.type().cast(value));
        }
        return option.defaultValue();
    }

    /** Whether the option was given (environment, argument, or derived), as opposed to defaulted. */
    public boolean isSet(ConfigOption<?> option) {
        checkKnown(option);
        return values.containsKey(option.envName());
    }

    /** Where the effective value of an option came from. */
    public Source source(ConfigOption<?> option) {
        checkKnown(option);
        Source source = sources.get(option.envName());
        if (source != null) {
            return source;
        }
        return option.hasDefault() ? Source.DEFAULT : Source.UNSET;
    }

    /**
     * The Redis to use for records and indexes, or empty for the in-memory store: {@code REDIS_URL}
     * unless {@code USE_REDIS_STATE=false}.
     */
    public Optional<String> redisUrl() {
        if (Boolean.FALSE.equals(values.get(Options.USE_REDIS_STATE.envName()))) {
            return Optional.empty();
        }
        return find(Options.REDIS_URL);
    }

    /**
     * Where checkpoints go: {@code CHECKPOINT_DIR} when set; in local mode otherwise
     * {@code DATA_DIR/checkpoints} (a path relative to the working directory when {@code DATA_DIR}
     * is relative).
     *
     * @throws IllegalStateException on a cluster when {@code CHECKPOINT_DIR} is unset
     */
    public String checkpointDir(boolean localMode) {
        Optional<String> dir = find(Options.CHECKPOINT_DIR);
        if (dir.isPresent()) {
            return dir.get();
        }
        if (localMode) {
            return Path.of(get(Options.DATA_DIR)).resolve("checkpoints").toString();
        }
        throw new IllegalStateException("CHECKPOINT_DIR (--checkpoint-dir) is required on a Flink cluster:"
                + " set it to durable storage every TaskManager can reach, e.g. s3://bucket/checkpoints"
                + " or hdfs:///flink/checkpoints");
    }

    /**
     * The extra Kafka client properties of {@code KAFKA_PROPERTIES_FILE} (SASL, TLS, …), read now;
     * empty when unset. They may hold credentials: never log them.
     *
     * @throws IllegalStateException when the file cannot be read (the message names the file, never
     *     its contents)
     */
    public Properties kafkaProperties() {
        Properties properties = new Properties();
        Optional<String> file = find(Options.KAFKA_PROPERTIES_FILE);
        if (file.isEmpty()) {
            return properties;
        }
        Path path = Path.of(file.get());
        try (InputStream in = Files.newInputStream(path)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read KAFKA_PROPERTIES_FILE " + path + ": "
                    + e.getClass().getSimpleName(), null);
        }
        return properties;
    }

    /**
     * Every option with its effective value and where it came from, one per line in documentation
     * order; secrets redacted, the Kafka properties file by path only.
     */
    public String describe() {
        int width = 0;
        for (ConfigOption<?> option : Options.all()) {
            width = Math.max(width, option.envName().length());
        }
        StringBuilder out = new StringBuilder("Effective settings (arguments override environment; secrets redacted):");
        for (ConfigOption<?> option : Options.all()) {
            out.append("\n  ").append(option.envName());
            out.append(" ".repeat(width - option.envName().length())).append(" = ");
            Source source = source(option);
            if (source == Source.UNSET) {
                out.append("(unset)");
            } else {
                out.append(display(option)).append("  [").append(source.name().toLowerCase(Locale.ROOT).replace('_', ' '));
                if (source == Source.DERIVED) {
                    out.append(" from KAFKA_ENCODING");
                }
                out.append(']');
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings && values.equals(((Settings) o).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    // ---------------------------------------------------------------- internals

    private <T> String display(ConfigOption<T> option) {
        return option.display(find(option).orElseThrow());
    }

    private static void checkKnown(ConfigOption<?> option) {
        Objects.requireNonNull(option, "option");
        if (Options.byEnvName(option.envName()).orElse(null) != option) {
            throw new IllegalArgumentException(option.envName() + " is not an option of " + Options.class.getName());
        }
    }

    private static void resolve(ConfigOption<?> option, Map<String, String> env,
            Map<ConfigOption<?>, String> fromArgs, Map<String, Object> values, Map<String, Source> sources,
            List<String> errors) {
        String raw;
        Source source;
        String where;
        if (fromArgs.containsKey(option)) {
            raw = fromArgs.get(option);
            source = Source.ARGUMENT;
            where = " [from the arguments]";
        } else {
            raw = env.get(option.envName());
            source = Source.ENVIRONMENT;
            where = " [from the environment]";
        }
        if (raw == null || raw.isBlank()) {
            return; // unset, or unset on purpose by an empty argument
        }
        try {
            values.put(option.envName(), option.parse(raw));
            sources.put(option.envName(), source);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage() + where);
        }
    }

    /** KAFKA_ENCODING fills a per-topic encoding unless that is set at the same or a stronger level. */
    private static void deriveEncoding(ConfigOption<String> specific, Map<String, String> env,
            Map<ConfigOption<?>, String> fromArgs, Map<String, Object> values, Map<String, Source> sources) {
        ConfigOption<String> general = Options.KAFKA_ENCODING;
        Object generalValue = values.get(general.envName());
        if (generalValue == null) {
            return;
        }
        boolean specificByArg = fromArgs.containsKey(specific);
        boolean generalByArg = sources.get(general.envName()) == Source.ARGUMENT;
        boolean specificByEnv = !specificByArg && values.containsKey(specific.envName());
        if (specificByArg || (specificByEnv && !generalByArg)) {
            return;
        }
        values.put(specific.envName(), generalValue);
        sources.put(specific.envName(), Source.DERIVED);
    }

    private static Map<ConfigOption<?>, String> parseArgs(String[] args, List<String> errors) {
        Map<ConfigOption<?>, String> out = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg == null || !arg.startsWith("--") || arg.length() == 2) {
                errors.add("Unexpected argument '" + arg + "': options are given as --name value or --name=value");
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq >= 0 ? arg.substring(0, eq) : arg;
            ConfigOption<?> option = Options.byArgName(name).orElse(null);
            boolean nextIsValue = i + 1 < args.length && args[i + 1] != null && !args[i + 1].startsWith("--");
            if (option == null) {
                unknown.add(name);
                if (eq < 0 && nextIsValue) {
                    i++; // skip the unknown option's value, so it is not reported again
                }
                continue;
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (option.type() == Boolean.class && (!nextIsValue || !isBooleanWord(args[i + 1]))) {
                value = "true";
            } else if (nextIsValue) {
                value = args[++i];
            } else {
                errors.add(name + " needs a value (" + option.valueHint() + "): " + name + " <value> or "
                        + name + "=<value>");
                continue;
            }
            out.put(option, value);
        }
        if (!unknown.isEmpty()) {
            List<String> described = new ArrayList<>();
            for (String name : unknown) {
                String suggestion = closestArgName(name);
                described.add(suggestion == null ? name : name + " (did you mean " + suggestion + "?)");
            }
            errors.add(0, (unknown.size() == 1 ? "Unknown argument " : "Unknown arguments: ")
                    + String.join(", ", described));
        }
        return out;
    }

    private static boolean isBooleanWord(String s) {
        try {
            ValueParsers.bool().parse(s.trim());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The known argument closest to a mistyped one, or null when none is close. */
    static String closestArgName(String name) {
        String wanted = name.replaceFirst("^-+", "").toLowerCase(Locale.ROOT).replace('_', '-');
        if (wanted.isEmpty()) {
            return null;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigOption<?> option : Options.all()) {
            String candidate = option.argName().substring(2);
            int distance = levenshtein(wanted, candidate);
            if (distance < bestDistance) {
                best = option.argName();
                bestDistance = distance;
            }
        }
        if (bestDistance <= Math.max(2, wanted.length() / 4)) {
            return best;
        }
        // A fragment of a longer name: --window-seconds → --corr-window-seconds.
        String fragmentMatch = null;
        for (ConfigOption<?> option : Options.all()) {
            String candidate = option.argName().substring(2);
            if (wanted.length() >= 4 && candidate.contains(wanted)) {
                if (fragmentMatch != null) {
                    return null; // ambiguous
                }
                fragmentMatch = option.argName();
            }
        }
        return fragmentMatch;
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
