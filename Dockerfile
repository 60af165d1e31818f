# One image for every role: quarry serve | worker | train | classify | probe (see docs/deploy.md).
#   docker build -t quarry:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .

# --- build: the same publish script CI runs (tests/Quarry.Deploy.Tests/ImageStepsTests.cs) ---
# The -aot SDK image adds what NativeAOT links the launcher with (clang, zlib1g-dev). The stage builds for its own
# platform, and publish.sh for that platform's RID: the image is linux/amd64 or linux/arm64, as it is built.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build
ARG REVISION=""
WORKDIR /src
# .dockerignore keeps tests, docs, bin/ and obj/ out of the context.
COPY . .
RUN QUARRY_REVISION="$REVISION" ./publish.sh /app

# --- runtime: ASP.NET Core runtime, python3 + bubblewrap for the playground, no SDK ---
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
ARG VERSION=0.1.0
ARG REVISION=""
LABEL org.opencontainers.image.title="quarry" \
      org.opencontainers.image.description="Quarry: machine-learning services in one program (serve, worker, train, classify, probe)" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.documentation="docs/deploy.md" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:10.0-noble"
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown "$APP_UID:$APP_UID" /data
COPY --from=build /app /app
WORKDIR /app
# The base image's non-root "app" user (uid 1654); numeric so runAsNonRoot can verify it.
USER 1654
ENV QUARRY_DATA_DIR=/data \
    ASPNETCORE_URLS=http://0.0.0.0:8080 \
    DOTNET_EnableDiagnostics=0 \
    DOTNET_NOLOGO=1
VOLUME /data
EXPOSE 8080
# Liveness of `quarry serve` on the port ASPNETCORE_URLS names; other roles turn it off (compose: healthcheck disable).
# python3 is in the image for the playground anyway, so no curl is added.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, sys, urllib.request as u; port = os.environ.get('ASPNETCORE_URLS', 'http://0.0.0.0:8080').split(';')[0].rstrip('/').rsplit(':', 1)[1]; sys.exit(0 if u.urlopen('http://127.0.0.1:' + port + '/healthz', timeout=2).status == 200 else 1)"]
# The NativeAOT launcher: --version and mine start in milliseconds; it execs /app/app/quarry for every other command.
ENTRYPOINT ["/app/quarry"]
CMD ["serve"]
