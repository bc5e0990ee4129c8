# The correlation job on Flink 2.2 (application mode: `standalone-job` finds the jar in usrlib).
# Build from the repository root after `mvn -B -DskipTests package`:
#   docker build -f docker/job.Dockerfile -t correlation-station-job:0.2.0 .
FROM flink:2.2.0-java17

# The job's shaded jar (Flink itself is provided by the image).
COPY --chown=flink:flink job/target/correlation-station-job-0.2.0-SNAPSHOT.jar /opt/flink/usrlib/correlation-station-job.jar
# The Pyroscope agent, attached with -javaagent through env.java.opts.{jobmanager,taskmanager};
# it profiles only when PYROSCOPE_AGENT_ENABLED=true (docs/operations.md#profiling).
COPY --chown=flink:flink job/target/pyroscope/pyroscope-agent.jar /opt/flink/lib/pyroscope-agent.jar
# Checkpoints and savepoints (a volume in docker-compose.yml): owned by flink so a fresh named
# volume, which copies this directory's ownership, is writable.
RUN mkdir -p /flink-data/checkpoints /flink-data/savepoints && chown -R flink:flink /flink-data
