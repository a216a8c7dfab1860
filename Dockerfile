# Mimecast -> Microsoft Sentinel connector: built with Maven, run on a JRE 17 as a non-root user.
#
#   docker build -t mimecast-sentinel .
#   docker run --rm -p 127.0.0.1:9876:9876 mimecast-sentinel      # demo: embedded simulator, files in /app/data
#
# Configuration is environment variables (docs/configuration.md). /app/routes and /app/application.properties
# are the packaged defaults: mount your own over them to override (read-only is fine). State written to files
# (demo checkpoints, file sink, dead letters of the file store) goes to /app/data: mount a volume there.

# ---- build: the shaded runnable jar ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# the dependencies first, in their own layer: it is rebuilt only when pom.xml changes
COPY pom.xml ./
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY application.properties ./
RUN mvn -B -ntp -DskipTests package

# ---- runtime ----
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="mimecast-sentinel" \
      org.opencontainers.image.description="Moves Mimecast logs into Microsoft Sentinel (Apache Camel)"

# curl for the HEALTHCHECK (the JRE image does not promise one)
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 connector \
    && useradd --system --uid 10001 --gid connector --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin connector

# the jar outside the working directory, so mounting over /app/routes or /app never hides it
COPY --from=build /build/target/mimecast-sentinel.jar /opt/mimecast-sentinel/mimecast-sentinel.jar
WORKDIR /app
# read from the working directory (the copies inside the jar are the fallback): mount over them to override
COPY --from=build /build/routes ./routes
COPY --from=build /build/application.properties ./application.properties
RUN mkdir -p /app/data && chown connector:connector /app/data

# heap from the container's memory limit, leaving a quarter for metaspace, threads and buffers; an
# OutOfMemoryError ends the process so the platform restarts it instead of leaving it half-working
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001

# health and metrics (MANAGEMENT_PORT): /observe/health/live, /observe/health/ready, /observe/metrics
EXPOSE 9876
# liveness: a broken dependency (Mimecast, Blob, Azure) shows on /observe/health/ready instead, because
# restarting would not mend it
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${MANAGEMENT_PORT:-9876}/observe/health/live" || exit 1

# SIGTERM ends the run in flight after its batch, checkpoint committed: give it time (docker stop -t 45)
ENTRYPOINT ["java", "-jar", "/opt/mimecast-sentinel/mimecast-sentinel.jar"]
