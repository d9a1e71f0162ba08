# syntax=docker/dockerfile:1
# Builder: dependencies first, in their own cached layer, so a change to src/
# rebuilds only this crate.
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /build
# The one release profile of Cargo.toml (which builds the dependencies off
# the counting path for size), tuned for a binary built once and shipped:
# whole-program LTO in one codegen unit, no debug info, stripped, and its
# relative relocations packed (RELR: glibc 2.36 and binutils 2.40, both
# bookworm's), which keeps it position-independent at 0.64 MB less (a 15.4 MB
# binary here; tests build without any of it, faster).
ENV RUSTFLAGS="-C link-arg=-Wl,-z,pack-relative-relocs" \
    CARGO_PROFILE_RELEASE_LTO=fat \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=true
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && printf '//! Dependencies only.\nfn main() {}\n' > src/main.rs \
    && printf '//! Dependencies only.\n' > src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src target/release/er-precision-gate* target/release/deps/er_precision_gate* target/release/.fingerprint/er-precision-gate*
COPY src ./src
COPY templates ./templates
RUN cargo build --release --locked

# Runtime: glibc, CA certificates, nothing else. No USER: GitHub runs
# container actions as root, and the workspace and file-command mounts need it.
FROM gcr.io/distroless/cc-debian12
LABEL org.opencontainers.image.title="er-precision-gate" \
      org.opencontainers.image.description="Gate an entity-resolution model on precision, recall and F1 over a verified validation set." \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --from=builder /build/target/release/er-precision-gate /usr/local/bin/er-precision-gate
ENTRYPOINT ["/usr/local/bin/er-precision-gate"]
