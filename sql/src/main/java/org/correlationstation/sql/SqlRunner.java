package org.correlationstation.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one SQL script as one Flink job, the way the SQL client would: {@code SET} statements configure
 * the job, DDL defines tables, and the script's {@code INSERT} (or statement set) is submitted. The
 * table DDL ({@code tables.sql}) runs first, so a job script holds only its own sink and query.
 *
 * <pre>
 * SqlRunner SCRIPT [--tables FILE | --no-tables] [--table-option TABLE.KEY=VALUE]... [--await]
 * </pre>
 *
 * SCRIPT and FILE are paths, or names of scripts bundled in the jar ({@code log_span_join.sql}).
 * {@code --table-option} changes a table's connector option right after the DDL that creates it
 * ({@code ALTER TABLE … SET}), so the scripts serve every environment unchanged: {@code *.properties.bootstrap.servers=kafka:9092}
 * sets it on every table, {@code normalized_logs.topic=my_logs} on one. {@code --await} waits until
 * the job ends (bounded sources), for batch-style runs and tests.
 */
public final class SqlRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SqlRunner.class);
    public static final String DEFAULT_TABLES = "tables.sql";
    /** Statements that submit a job; options must name only existing tables before the first of them. */
    private static final Pattern STARTS_JOB = Pattern.compile("(?is)\\s*(INSERT|EXECUTE|SELECT|BEGIN)\\b");
    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'((?:[^']|'')*)'");

    private final String script;
    private String tables = DEFAULT_TABLES;
    private final List<String> tableOptions = new ArrayList<>();
    private boolean await;

    public SqlRunner(String script) {
        this.script = script;
    }

    public SqlRunner tables(String tables) {
        this.tables = tables;
        return this;
    }

    /** {@code TABLE.KEY=VALUE}; TABLE {@code *} means every table the DDL defined. */
    /** {@code TABLE.KEY=VALUE} ({@code *} for every table), checked now so a typo fails before any job starts. */
    public SqlRunner tableOption(String option) {
        int dot = option.indexOf('.');
        int eq = option.indexOf('=');
        if (dot <= 0 || eq < dot) throw new IllegalArgumentException("--table-option wants TABLE.KEY=VALUE, got " + option);
        tableOptions.add(option);
        return this;
    }

    public SqlRunner await(boolean await) {
        this.await = await;
        return this;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("--")) {
            System.err.println("usage: SqlRunner SCRIPT [--tables FILE | --no-tables] [--table-option TABLE.KEY=VALUE]... [--await]");
            System.exit(2);
        }
        SqlRunner runner = new SqlRunner(args[0]);
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--tables" -> runner.tables(value(args, ++i, "--tables"));
                case "--no-tables" -> runner.tables(null);
                case "--table-option" -> runner.tableOption(value(args, ++i, "--table-option"));
                case "--await" -> runner.await(true);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        runner.run(TableEnvironment.create(EnvironmentSettings.inStreamingMode()));
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    /** Runs the DDL, the option overrides and the script; returns the results of the statements that ran a job. */
    public List<TableResult> run(TableEnvironment env) throws Exception {
        if (tables != null) execute(env, SqlScript.load(tables));
        List<TableResult> jobs = execute(env, SqlScript.load(script));
        checkOptionTables(env); // a script without jobs
        if (await) {
            for (TableResult job : jobs) job.await();
        }
        return jobs;
    }

    private List<TableResult> execute(TableEnvironment env, SqlScript script) {
        List<TableResult> jobs = new ArrayList<>();
        for (String statement : script.statements()) {
            Matcher set = SET.matcher(statement);
            if (set.matches()) {
                env.getConfig().getConfiguration().setString(set.group(1), set.group(2).replace("''", "'"));
                continue;
            }
            if (STARTS_JOB.matcher(statement).lookingAt()) checkOptionTables(env);
            LOG.info("{}: {}", script.name(), firstLine(statement));
            List<String> before = tablesOnly(env);
            TableResult result = env.executeSql(statement);
            if (result.getJobClient().isPresent()) jobs.add(result);
            for (String table : tablesOnly(env)) {
                if (!before.contains(table)) applyTableOptions(env, table);
            }
        }
        return jobs;
    }

    /** Every table an option names exists by the time the first job is submitted (options apply as tables are created). */
    private void checkOptionTables(TableEnvironment env) {
        for (String option : tableOptions) {
            String table = option.substring(0, option.indexOf('.'));
            if (!table.equals("*") && !List.of(env.listTables()).contains(table)) {
                throw new IllegalArgumentException("--table-option " + option + ": no table " + table
                        + " was created before the script's first job");
            }
        }
    }

    /** The overrides for a table just created, in the order given. */
    private void applyTableOptions(TableEnvironment env, String created) {
        for (String option : tableOptions) {
            int dot = option.indexOf('.');
            int eq = option.indexOf('=');
            String table = option.substring(0, dot);
            String key = option.substring(dot + 1, eq);
            String value = option.substring(eq + 1);
            if (!table.equals("*") && !table.equals(created)) continue;
            env.executeSql("ALTER TABLE `" + created + "` SET ('" + key.replace("'", "''") + "' = '"
                    + value.replace("'", "''") + "')");
        }
    }

    private static List<String> tablesOnly(TableEnvironment env) {
        List<String> views = List.of(env.listViews());
        List<String> tables = new ArrayList<>();
        for (String t : env.listTables()) if (!views.contains(t)) tables.add(t);
        return tables;
    }

    private static String firstLine(String statement) {
        String line = statement.lines().findFirst().orElse("");
        return line.length() > 100 ? line.substring(0, 100) + "…" : line;
    }
}
