# The raftcheck container image, for sweeps on Kubernetes (deploy/, README: "Running on
# Kubernetes"): `make image` builds it. The build stage compiles ./cmd/raftcheck into one
# static binary (deploy/deploy_test.go runs this stage's go build line, so it stays the build
# that works); the runtime stage is that binary on a small Alpine, whose shell runs the
# manifests' scripts (the shard index in file names, stdout into a shard file).
FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/raftcheck ./cmd/raftcheck

FROM alpine:3.22
COPY --from=build /out/raftcheck /usr/local/bin/raftcheck
# Not root: the manifests run as this user and give the results volume its group (fsGroup).
USER 65532:65532
WORKDIR /results
ENTRYPOINT ["/usr/local/bin/raftcheck"]
CMD ["help"]
