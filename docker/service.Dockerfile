# The query API and the OTLP ingest service: one image, the launcher picks the service
# (`docker run IMAGE api` or `docker run IMAGE ingest`) and adds the Pyroscope agent when
# ENABLE_PYROSCOPE=true. Build from the repository root after `mvn -B -DskipTests package`:
#   docker build -f docker/service.Dockerfile -t correlation-station-service:0.2.0 .
FROM eclipse-temurin:17.0.15_6-jre

ARG VERSION=0.2.0-SNAPSHOT
ENV CORRELATION_STATION_VERSION=${VERSION}
WORKDIR /opt/correlation-station
# The launcher looks for the jars at the paths the build leaves them.
COPY bin/correlation-station bin/correlation-station
COPY api/target/correlation-station-api-0.2.0-SNAPSHOT.jar api/target/correlation-station-api-0.2.0-SNAPSHOT.jar
COPY ingest/target/correlation-station-ingest-0.2.0-SNAPSHOT.jar ingest/target/correlation-station-ingest-0.2.0-SNAPSHOT.jar
COPY job/target/pyroscope/pyroscope-agent.jar job/target/pyroscope/pyroscope-agent.jar
RUN useradd --system --uid 10001 --home-dir /opt/correlation-station correlation
USER correlation
EXPOSE 8080 4317 4318
ENTRYPOINT ["/opt/correlation-station/bin/correlation-station"]
CMD ["api"]
