# Mimecast -> Microsoft Sentinel connector: built with Maven, run on a JRE 17 as a non-root user.
#
#   docker build -t mimecast-sentinel .
#   docker run --rm -p 127.0.0.1:9876:9876 mimecast-sentinel      # demo: embedded simulator, files in /app/data
#
# Configuration is environment variables (docs/configuration.md). /app/routes and /app/application.properties
# are the packaged defaults: mount your own over them to override (read-only is fine). State written to files
# (demo checkpoints, file sink, dead letters of the file store) goes to /app/data: mount a volume there.

# Base images are pinned by digest (a tag can be moved to other content); the tag each digest was taken from is
# in the comment above it. To update: `docker buildx imagetools inspect <tag>` (or `crane digest <tag>`), then
# replace the digest, and say so in the commit.

# ---- build: the shaded runnable jar ----
# maven:3.9-eclipse-temurin-17
FROM maven:3.9-eclipse-temurin-17@sha256:a8746f15d5bb26b5b8bacb056cc76211553850f4c71d16aff845cfa004cbc197 AS build
WORKDIR /build
# the dependencies first, in their own layer: it is rebuilt only when pom.xml changes
COPY pom.xml ./
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY application.properties ./
RUN mvn -B -ntp -DskipTests package

# ---- runtime ----
# eclipse-temurin:17-jre (17.0.20_8-jre when pinned)
FROM eclipse-temurin:17-jre@sha256:13cc28a6cc72a38ce1f00c906be3580c1a3e604b8984d694f369a96742abc93b
LABEL org.opencontainers.image.title="mimecast-sentinel" \
      org.opencontainers.image.description="Moves Mimecast logs into Microsoft Sentinel (Apache Camel)"

# no HTTP download tools in the image that runs (the health check is bash's /dev/tcp): removed where the base
# image has them
RUN for tool in curl wget; do \
        if dpkg -s "$tool" >/dev/null 2>&1; then \
            DEBIAN_FRONTEND=noninteractive apt-get purge -y --auto-remove "$tool"; \
        fi; \
    done \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 connector \
    && useradd --system --uid 10001 --gid connector --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin connector

# the jar outside the working directory, so mounting over /app/routes or /app never hides it
COPY --from=build /build/target/mimecast-sentinel.jar /opt/mimecast-sentinel/mimecast-sentinel.jar
# the demo (the Mimecast simulator) is a jar of its own, on the connector jar's class path: without credentials the
# container runs the demo, and the compose demo's simulator runs from it
COPY --from=build /build/target/mimecast-sentinel-*-demo.jar /opt/mimecast-sentinel/
WORKDIR /app
# read from the working directory (the copies inside the jar are the fallback): mount over them to override
COPY --from=build /build/routes ./routes
COPY --from=build /build/application.properties ./application.properties
RUN mkdir -p /app/data && chown connector:connector /app/data

# heap from the container's memory limit, leaving a quarter for metaspace, threads and buffers; an
# OutOfMemoryError ends the process so the platform restarts it instead of leaving it half-working
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# the management server listens on every interface inside the container, for the platform's probes (outside a
# container it listens on 127.0.0.1 unless MANAGEMENT_HOST says otherwise); publish it only where it is needed
ENV MANAGEMENT_HOST=0.0.0.0

USER 10001:10001

# health and metrics (MANAGEMENT_PORT): /observe/health/live, /observe/health/ready, /observe/metrics
EXPOSE 9876
# liveness: a broken dependency (Mimecast, Blob, Azure) shows on /observe/health/ready instead, because
# restarting would not mend it. bash asks http://127.0.0.1:${MANAGEMENT_PORT:-9876}/observe/health/live over
# /dev/tcp (no curl, and no second JVM beside the connector's heap) and fails unless it answers 200 (or 401:
# credentials are required there, the server lives)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_PORT:-9876} && printf 'GET /observe/health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -Eq '^HTTP/1\\.[01] (200|401) '"]

# SIGTERM ends the run in flight after its batch, checkpoint committed: give it time (docker stop -t 45)
ENTRYPOINT ["java", "-jar", "/opt/mimecast-sentinel/mimecast-sentinel.jar"]
