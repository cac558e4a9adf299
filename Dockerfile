# Multi-stage build: compile in the Rust image, run from a slim Debian image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin kxc

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/kxc kxc \
 && mkdir -p /var/lib/kxc && chown kxc /var/lib/kxc
COPY --from=build /src/target/release/kxc /usr/local/bin/kxc
USER kxc
# The production profile: introspection and field suggestions off (see KXC_PROFILE).
ENV KXC_DATA_DIR=/var/lib/kxc KXC_BIND=0.0.0.0:8080 KXC_LOG_FORMAT=json KXC_PROFILE=production
EXPOSE 8080
ENTRYPOINT ["kxc"]
CMD ["serve"]
