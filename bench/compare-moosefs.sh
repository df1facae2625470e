#!/usr/bin/env bash
# MooseFS next to Gale: runs the workloads of gale-bench's data and recovery
# scenarios on a throwaway MooseFS cluster on this machine and prints the
# Gale / MooseFS ratios. Optional; never part of `make test`.
#
#   bench/compare-moosefs.sh [options]
#
#   --gale-json PATH           Gale's figures, from `gale-bench --json PATH`; by default
#                              build/bin/gale-bench --scenario data,recovery --short is run
#                              (when it exists) before MooseFS is measured
#   --no-gale                  MooseFS figures only
#   --size-mib N               the sequential file written, then read (1024)
#   --small-files N            64 KiB files created, write + fsync + close each (2000)
#   --small-streams N          writers creating them in parallel (4, as gale-bench)
#   --chunkservers N           chunkservers of the data workload (3)
#   --goal N                   copies of each chunk (3)
#   --recovery-chunkservers N  chunkservers of the recovery workload (5)
#   --recovery-mib N           data held when one chunkserver is killed (2048)
#   --cs-fsync                 chunkservers fsync chunks before closing them
#                              (HDD_FSYNC_BEFORE_CLOSE = 1; MooseFS's default is 0)
#   --client auto|mfsmount|libmfsio
#                              how the workloads reach MooseFS (auto: mfsmount if FUSE works)
#   --json PATH                also write the MooseFS figures and the ratios as JSON
#   -h, --help                 this text
#
# Installs moosefs-master, -chunkserver, -client, -cli, libmfsio-dev, jq and gcc with
# apt-get when a binary is missing (as root, or through sudo; the whole script
# needs root for its namespaces). Everything else stays on this machine: the
# cluster runs in private network, mount and PID namespaces (unshare), on
# 198.18.0.1 (the benchmarking range 198.18.0.0/15) added to that namespace's
# lo, since MooseFS 3.0 refuses chunkservers on 127.0.0.0/8. Each daemon has
# its config files and data in a temp dir; every chunkserver sees only a small
# budget of the disk. Daemons run at nice 0 (MooseFS's default is -19) to be on
# the same footing as gale-bench's, with REPLICATIONS_DELAY_INIT = 0 so that
# re-replication starts at once rather than 60 s after the master starts.
#
# data: a fresh cluster of --chunkservers at --goal; one file written with dd
# conv=fsync, the client's cache dropped by a remount (the chunkservers' page
# cache stays warm, as the nodes' does in gale-bench), read back with dd and
# its SHA-256 checked; then the small files.
# recovery: a fresh cluster of --recovery-chunkservers holding --recovery-mib
# at --goal; chunkserver 1 is killed with SIGKILL and mfscli -SIC polled every
# 0.2 s until no chunk is under its goal; repair MiB/s = the bytes chunkserver 1
# held / (time at goal - time the master reported chunks under goal), as
# gale-bench computes repair_mibps; the data is then read back and checked.
#
# The temp dir and every process go away on exit, Ctrl-C or failure: the
# cluster lives in the namespaces of one child, and the kernel ends them with it.
set -euo pipefail
export LC_ALL=C  # a decimal point in $EPOCHREALTIME and awk

readonly ADDR=198.18.0.1
readonly MASTER_CLIENT_PORT=9421
script=$(readlink -f "${BASH_SOURCE[0]}")
repo=$(dirname "$(dirname "$script")")

usage() {
  sed -n '2,/^set -euo pipefail/{/^#/s/^# \{0,1\}//p}' "$script"
  exit "${1:-0}"
}

die() {
  echo "compare-moosefs: $*" >&2
  exit 1
}

log() {
  echo "compare-moosefs: $*" >&2
}

# ---------------------------------------------------------------- options

size_mib=1024
small_files=2000
small_streams=4
chunkservers=3
goal=3
recovery_chunkservers=5
recovery_mib=2048
cs_fsync=0
client=auto
gale_json=
no_gale=0
json_out=
inside=

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --gale-json) gale_json=${2:?--gale-json needs a path}; shift ;;
      --no-gale) no_gale=1 ;;
      --size-mib) size_mib=${2:?}; shift ;;
      --small-files) small_files=${2:?}; shift ;;
      --small-streams) small_streams=${2:?}; shift ;;
      --chunkservers) chunkservers=${2:?}; shift ;;
      --goal) goal=${2:?}; shift ;;
      --recovery-chunkservers) recovery_chunkservers=${2:?}; shift ;;
      --recovery-mib) recovery_mib=${2:?}; shift ;;
      --cs-fsync) cs_fsync=1 ;;
      --client) client=${2:?}; shift ;;
      --json) json_out=${2:?--json needs a path}; shift ;;
      --inside) inside=${2:?}; shift ;;  # internal: the run inside the namespaces
      -h | --help) usage 0 ;;
      *) echo "compare-moosefs: unknown option $1" >&2; usage 2 ;;
    esac
    shift
  done
  local n
  for n in "$size_mib" "$small_files" "$small_streams" "$chunkservers" "$goal" \
    "$recovery_chunkservers" "$recovery_mib"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $n"
  done
  [ "$small_streams" -le 64 ] || die "--small-streams: 64 at most"
  [ "$goal" -le "$chunkservers" ] || die "--goal $goal needs at least $goal --chunkservers"
  [ "$recovery_chunkservers" -gt "$goal" ] ||
    die "--recovery-chunkservers must exceed --goal, to leave room for the lost copies"
  case "$client" in auto | mfsmount | libmfsio) ;; *) die "--client: auto, mfsmount or libmfsio" ;; esac
}

# ---------------------------------------------------------------- small helpers

now() { echo "$EPOCHREALTIME"; }

# Arithmetic on decimals: calc 'a / b' A B prints the result with 2 decimals.
calc() {
  awk -v a="$2" -v b="${3:-0}" "BEGIN { printf \"%.2f\", $1 }"
}

# Free MiB on the file system holding $1.
free_mib() {
  df -Pm "$1" | awk 'NR == 2 { print $4 }'
}

# Random bytes for a workload, and their SHA-256.
make_source() {
  local path=$1 mib=$2
  head -c "$((mib << 20))" /dev/urandom >"$path"
  sha256sum <"$path" | cut -d' ' -f1 >"$path.sha256"
}

# ---------------------------------------------------------------- installation

install_moosefs() {
  local missing=0 tool
  for tool in mfsmaster mfschunkserver mfsmount mfscli mfssetgoal jq cc; do
    command -v "$tool" >/dev/null || missing=1
  done
  [ -f /usr/include/mfsio.h ] || missing=1
  [ "$missing" -eq 1 ] || return 0
  log "installing MooseFS (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y \
    moosefs-master moosefs-chunkserver moosefs-client moosefs-cli libmfsio-dev jq gcc >/dev/null
}

# ---------------------------------------------------------------- the cluster (inside)

pids=()    # every daemon started, for the cleanup
mounts=()  # every FUSE mount made

# The namespace's loopback, with the one address the cluster uses.
network_up() {
  ip link set lo up
  ip addr add "$ADDR/32" dev lo
}

# mfsmaster.cfg + mfsexports.cfg + empty metadata under $1; started in the background.
start_master() {
  local dir=$1/master
  mkdir -p "$dir"
  cp /var/lib/mfs/metadata.mfs.empty "$dir/metadata.mfs"
  echo "* / rw,alldirs,admin,maproot=0:0" >"$dir/mfsexports.cfg"
  : >"$dir/mfstopology.cfg"
  cat >"$dir/mfsmaster.cfg" <<EOF
WORKING_USER = root
WORKING_GROUP = root
NICE_LEVEL = 0
DATA_PATH = $dir
EXPORTS_FILENAME = $dir/mfsexports.cfg
TOPOLOGY_FILENAME = $dir/mfstopology.cfg
MATOML_LISTEN_HOST = $ADDR
MATOCS_LISTEN_HOST = $ADDR
MATOCL_LISTEN_HOST = $ADDR
MATOCL_LISTEN_PORT = $MASTER_CLIENT_PORT
REPLICATIONS_DELAY_INIT = 0
EOF
  mfsmaster -f -c "$dir/mfsmaster.cfg" start >"$dir/log" 2>&1 &
  pids+=("$!")
}

# Chunkserver $2 under $1, leaving all but $3 MiB of the disk to others.
start_chunkserver() {
  local dir=$1/cs$2 budget_mib=$3
  mkdir -p "$dir/hdd"
  echo "$dir/hdd -$(($(free_mib "$dir") - budget_mib))MiB" >"$dir/mfshdd.cfg"
  cat >"$dir/mfschunkserver.cfg" <<EOF
WORKING_USER = root
WORKING_GROUP = root
NICE_LEVEL = 0
DATA_PATH = $dir
HDD_CONF_FILENAME = $dir/mfshdd.cfg
HDD_FSYNC_BEFORE_CLOSE = $cs_fsync
MASTER_HOST = $ADDR
BIND_HOST = $ADDR
CSSERV_LISTEN_HOST = $ADDR
CSSERV_LISTEN_PORT = $((9421 + $2))
EOF
  mfschunkserver -f -c "$dir/mfschunkserver.cfg" start >"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  pids+=("$!")
}

mfscli_() {
  mfscli -H "$ADDR" -P "$MASTER_CLIENT_PORT" "$@"
}

# Chunkservers connected with their disks scanned (total space known).
ready_chunkservers() {
  mfscli_ -SCS 2>/dev/null | awk -F'\t' '$1 == "chunk servers:" && $11 > 0 { n++ } END { print n + 0 }'
}

# A master and $2 chunkservers under $1, each with budget $3 MiB; waits (30 s
# at most) until all chunkservers have registered.
start_cluster() {
  local dir=$1 count=$2 budget_mib=$3 i
  local free
  free=$(free_mib "$inside")
  [ "$free" -gt $((budget_mib + 2048)) ] ||
    die "$budget_mib MiB of disk wanted under $inside (+2 GiB spare), $free MiB free"
  start_master "$dir"
  for ((i = 1; i <= count; i++)); do
    start_chunkserver "$dir" "$i" "$budget_mib"
  done
  for ((i = 0; i < 150; i++)); do
    [ "$(ready_chunkservers)" -eq "$count" ] && return 0
    sleep 0.2
  done
  tail -n 20 "$dir"/master/log "$dir"/cs*/log >&2 || true
  die "$count chunkservers not all registered with the master within 30 s"
}

# Stops every daemon (SIGTERM, then SIGKILL after 10 s).
stop_daemons() {
  local pid i
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

unmount_all() {
  local mnt
  for mnt in "${mounts[@]}"; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  done
  mounts=()
}

# Everything started inside; what is left the kernel kills when we, the
# namespace's init, exit.
inside_cleanup() {
  unmount_all
  stop_daemons
}

mount_fs() {
  mkdir -p "$1"
  mfsmount "$1" -H "$ADDR" -P "$MASTER_CLIENT_PORT" >>"$inside/mfsmount.log" 2>&1 || return 1
  mounts+=("$1")
}

# Drops the client's cache: a new mfsmount has none.
remount_fs() {
  unmount_all
  mount_fs "$1"
}

# ---------------------------------------------------------------- the client helper (inside)

# The small-file workload (and, without FUSE, all I/O) in C: spawning dd for
# each 64 KiB file would measure fork + exec. With -DMFSIO the MooseFS side
# goes through libmfsio instead of a mount.
helper_source() {
  cat <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef MFSIO
#include <mfsio.h>
#define R(call) mfs_##call
#else
#define R(call) call
#endif

enum { kSmall = 65536, kBuffer = 1 << 20 };
static const char *small_dir;
static int small_count, small_streams;

static void die(const char *what) { perror(what); exit(1); }

static void write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = R(write)(fd, buf, n);
    if (w <= 0) die("write");
    buf += w;
    n -= (size_t)w;
  }
}

/* Files s, s + streams, ... of the small workload, each with its own bytes. */
static void *small_stream(void *arg) {
  uint64_t x = 88172645463325252ull + (uint64_t)(intptr_t)arg;
  char *buf = malloc(kSmall), path[4096];
  if (buf == NULL) die("malloc");
  for (int i = (int)(intptr_t)arg; i < small_count; i += small_streams) {
    for (int j = 0; j < kSmall; j += 8) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      memcpy(buf + j, &x, 8);
    }
    snprintf(path, sizeof path, "%s/%d", small_dir, i);
    int fd = R(open)(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die(path);
    write_all(fd, buf, kSmall);
    if (R(fsync)(fd) != 0 || R(close)(fd) != 0) die("fsync/close");
  }
  free(buf);
  return NULL;
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
#ifdef MFSIO
  static char host[] = "198.18.0.1", port[] = "9421", mountpoint[] = "[MFSIO]", root[] = "/";
  mfscfg cfg = {0};
  cfg.masterhost = host, cfg.masterport = port, cfg.mountpoint = mountpoint;
  cfg.masterpath = root, cfg.read_cache_mb = 128, cfg.write_cache_mb = 128, cfg.io_try_cnt = 30;
  if (mfs_init(&cfg, 0) != 0) { fprintf(stderr, "mfs_init failed\n"); return 1; }
#endif
  static char buf[kBuffer];
  if (argc == 4 && strcmp(argv[1], "put") == 0) {  /* put LOCAL REMOTE, then fsync */
    int in = open(argv[2], O_RDONLY), out = R(open)(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) die("open");
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write_all(out, buf, (size_t)n);
    if (n < 0 || R(fsync)(out) != 0 || R(close)(out) != 0) die("put");
  } else if (argc == 3 && strcmp(argv[1], "get") == 0) {  /* get REMOTE > stdout */
    int in = R(open)(argv[2], O_RDONLY);
    if (in < 0) die("open");
    ssize_t n;
    while ((n = R(read)(in, buf, sizeof buf)) > 0) {
      for (ssize_t done = 0, w; done < n; done += w)
        if ((w = write(1, buf + done, (size_t)(n - done))) <= 0) die("write");
    }
    if (n < 0) die("read");
    R(close)(in);
  } else if (argc == 5 && strcmp(argv[1], "small") == 0) {  /* small DIR COUNT STREAMS */
    small_dir = argv[2], small_count = atoi(argv[3]), small_streams = atoi(argv[4]);
    if (R(mkdir)(small_dir, 0755) != 0 && errno != EEXIST) die("mkdir");
    pthread_t threads[64];
    if (small_streams < 1 || small_streams > 64) die("streams");
    double start = seconds();
    for (intptr_t s = 0; s < small_streams; s++)
      if (pthread_create(&threads[s], NULL, small_stream, (void *)s) != 0) die("thread");
    for (int s = 0; s < small_streams; s++) pthread_join(threads[s], NULL);
    printf("%.6f\n", seconds() - start);
  } else {
    fprintf(stderr, "usage: %s put LOCAL REMOTE | get REMOTE | small DIR COUNT STREAMS\n", argv[0]);
    return 2;
  }
#ifdef MFSIO
  mfs_term();
#endif
  return 0;
}
EOF
}

# Compiles the helper: $1 = posix (through the mount) or mfsio.
build_helper() {
  helper_source >"$inside/helper.c"
  if [ "$1" = mfsio ]; then
    cc -O2 -pthread -DMFSIO -o "$inside/helper" "$inside/helper.c" -lmfsio
  else
    cc -O2 -pthread -o "$inside/helper" "$inside/helper.c"
  fi
}

# ---------------------------------------------------------------- client I/O (inside)
#
# The same operations through a mount (dd, mfssetgoal) or through libmfsio.
# Paths are relative to MooseFS's root.

mnt=
mode=  # mfsmount or libmfsio

# Connects the client for the cluster just started; picks the mode once.
client_up() {
  mnt=$1/mnt
  if [ -z "$mode" ]; then
    mode=libmfsio
    if [ "$client" != libmfsio ] && [ -c /dev/fuse ] && mount_fs "$mnt"; then
      mode=mfsmount
    elif [ "$client" = mfsmount ]; then
      die "mfsmount failed ($( [ -c /dev/fuse ] || echo 'no /dev/fuse; ')see $inside/mfsmount.log)"
    elif [ "$client" = auto ]; then
      log "FUSE unusable here (no /dev/fuse or mfsmount failed): using libmfsio"
    fi
    [ "$mode" = mfsmount ] ||
      log "libmfsio cannot set goals (mfssetgoal needs a mount): MooseFS keeps its default goal 2"
    build_helper "$([ "$mode" = mfsmount ] && echo posix || echo mfsio)"
  elif [ "$mode" = mfsmount ]; then
    mount_fs "$mnt"
  fi
  if [ "$mode" = mfsmount ]; then
    mfssetgoal "$goal" "$mnt" >/dev/null
  fi
}

# The goal new files get: ours through the mount; libmfsio cannot set goals
# (mfssetgoal needs a mount), so there it is the root's default.
actual_goal() {
  if [ "$mode" = mfsmount ]; then
    mfsgetgoal "$mnt/$1" | awk '{ print $NF }'
  else
    echo 2
  fi
}

put_file() {  # LOCAL REMOTE, durable when it returns
  if [ "$mode" = mfsmount ]; then
    dd if="$1" of="$mnt/$2" bs=1M conv=fsync status=none
  else
    "$inside/helper" put "$1" "/$2"
  fi
}

read_file() {  # REMOTE > stdout
  if [ "$mode" = mfsmount ]; then
    dd if="$mnt/$1" bs=1M status=none
  else
    "$inside/helper" get "/$1"
  fi
}

drop_client_cache() {
  if [ "$mode" = mfsmount ]; then
    remount_fs "$mnt"
  fi  # each libmfsio helper run is a new client with an empty cache
}

small_files_seconds() {  # REMOTE_DIR COUNT STREAMS
  if [ "$mode" = mfsmount ]; then
    "$inside/helper" small "$mnt/$1" "$2" "$3"
  else
    "$inside/helper" small "/$1" "$2" "$3"
  fi
}

check_sha256() {  # REMOTE EXPECTED_FILE
  local got
  got=$(read_file "$1" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$(cat "$2")" ] || die "$1 read back with SHA-256 $got, not $(cat "$2")"
}

# ---------------------------------------------------------------- workloads (inside)

result() {
  echo "$1 $2" >>"$inside/results"
}

# Sequential write + read of --size-mib and the small files.
workload_data() {
  local dir=$inside/data start seconds
  mkdir -p "$dir"
  log "data: $size_mib MiB + $small_files small files on $chunkservers chunkservers at goal $goal"
  make_source "$inside/seq.src" "$size_mib"
  start_cluster "$dir" "$chunkservers" $((goal * (size_mib + small_files / 16) * 2 + 1024))
  client_up "$dir"
  result moosefs_version "$(mfscli_ -SIG | awk -F'\t' '$2 == "master version" { print $3 }')"

  start=$(now)
  put_file "$inside/seq.src" seq
  seconds=$(calc 'b - a' "$start" "$(now)")
  result write_mibps "$(calc 'a / b' "$size_mib" "$seconds")"
  result goal "$(actual_goal seq)"

  drop_client_cache
  start=$(now)
  read_file seq >/dev/null
  seconds=$(calc 'b - a' "$start" "$(now)")
  result read_mibps "$(calc 'a / b' "$size_mib" "$seconds")"
  check_sha256 seq "$inside/seq.src.sha256"
  rm -f "$inside/seq.src"

  seconds=$(small_files_seconds small "$small_files" "$small_streams")
  result small_files_per_s "$(calc 'a / b' "$small_files" "$seconds")"
  unmount_all
  stop_daemons
}

# Chunks under their goal (or lost) by the master's chunk matrix; empty when
# the master did not answer.
chunks_below_goal() {
  mfscli_ -SIC 2>/dev/null | awk -F'\t' '
    $2 ~ /^chunkclass (missing|endangered|undergoal):$/ { n += $3; seen = 1 }
    END { if (seen) print n + 0 }'
}

# Whether the master still lists the chunkserver on port $1 as connected.
chunkserver_connected() {
  mfscli_ -SCS 2>/dev/null | awk -F'\t' -v port="$1" '
    $1 == "chunk servers:" && $3 == port { found = 1 } END { exit !found }'
}

# Bytes of the chunk files of chunkserver $1.
chunkserver_bytes() {
  find "$1/hdd" -type f -name 'chunk_*' -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }'
}

# Waits (bounded) until the master reports no chunk below goal.
wait_at_goal() {
  local i
  for ((i = 0; i < 300; i++)); do
    [ "$(chunks_below_goal)" = 0 ] && return 0
    sleep 0.2
  done
  die "chunks still below goal 60 s after writing"
}

# Kills chunkserver 1 and times the master's re-replication.
workload_recovery() {
  local dir=$inside/recovery killed detected='' at_goal='' below t i bytes sleeper
  mkdir -p "$dir"
  log "recovery: $recovery_mib MiB on $recovery_chunkservers chunkservers at goal $goal, one killed"
  make_source "$inside/held.src" "$recovery_mib"
  start_cluster "$dir" "$recovery_chunkservers" $((goal * recovery_mib * 2 + 1024))
  client_up "$dir"
  put_file "$inside/held.src" held
  rm -f "$inside/held.src"
  wait_at_goal
  bytes=$(chunkserver_bytes "$dir/cs1")

  killed=$(now)
  { kill -KILL "$(cat "$dir/cs1/pid")" && wait "$(cat "$dir/cs1/pid")"; } 2>/dev/null || true
  # One poll each 0.2 s (or each mfscli run, if slower), for 5 minutes at most:
  # detected once the master drops chunkserver 1 or counts chunks below goal,
  # at goal once, after that, no chunk is below goal (small data can be
  # repaired between two polls).
  for ((i = 0; i < 1500; i++)); do
    sleep 0.2 &
    sleeper=$!
    below=$(chunks_below_goal)
    t=$(now)
    if [ -z "$detected" ] && { [ "${below:-0}" -gt 0 ] || ! chunkserver_connected 9422; }; then
      detected=$t
    fi
    if [ -n "$detected" ] && [ "$below" = 0 ]; then
      at_goal=$t
      break
    fi
    wait "$sleeper"
    [ "$(calc 'b - a' "$killed" "$t" | cut -d. -f1)" -lt 300 ] || break
  done
  [ -n "$detected" ] || die "the master never reported chunks below goal after the kill"
  [ -n "$at_goal" ] || die "chunks still below goal 5 minutes after the kill"
  result detect_seconds "$(calc 'b - a' "$killed" "$detected")"
  result redundancy_seconds "$(calc 'b - a' "$killed" "$at_goal")"
  result repaired_mib "$(calc 'a / 1048576' "$bytes")"
  # Repaired within one poll: count one poll period, not zero.
  t=$(calc '(b - a > 0.2) ? b - a : 0.2' "$detected" "$at_goal")
  result repair_mibps "$(calc 'a / 1048576 / b' "$bytes" "$t")"
  [ "$(mfscli_ -SIC | awk -F'\t' '$2 == "chunkclass missing:" { print $3 }')" = 0 ] ||
    die "chunks lost after the kill"
  drop_client_cache
  check_sha256 held "$inside/held.src.sha256"
  unmount_all
  stop_daemons
}

# The whole MooseFS run, as init of fresh net + mount + PID namespaces.
inside_main() {
  trap inside_cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  network_up
  workload_data
  workload_recovery
  result client "$mode"
  result cache_drop "$([ "$mode" = mfsmount ] && echo remount || echo 'new libmfsio client')"
}

# ---------------------------------------------------------------- the run (outside)

work=
inner=
gale_file=
rows=()

outside_cleanup() {
  if [ -n "$inner" ] && kill -0 "$inner" 2>/dev/null; then
    # The namespaces' init (unshare's child) cleans up on SIGTERM.
    pkill -TERM -P "$inner" 2>/dev/null || true
    wait "$inner" 2>/dev/null || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}

# Gale's figures: a JSON path, or empty when there are none.
gale_figures() {
  if [ "$no_gale" -eq 1 ]; then
    return 0
  elif [ -n "$gale_json" ]; then
    echo "$gale_json"
  elif [ -x "$repo/build/bin/gale-bench" ]; then
    log "running gale-bench --scenario data,recovery --short (log: $work/gale-bench.log)"
    if "$repo/build/bin/gale-bench" --scenario data,recovery --short --json "$work/gale.json" \
      >"$work/gale-bench.log" 2>&1; then
      echo "$work/gale.json"
    else
      tail -n 20 "$work/gale-bench.log" >&2
      log "gale-bench failed: MooseFS figures only"
    fi
  fi
}

# The MooseFS run in its own namespaces.
run_moosefs() {
  mkdir "$work/moosefs"
  unshare --net --mount --pid --fork --kill-child --mount-proc \
    "$script" --inside "$work/moosefs" "$@" &
  inner=$!
  wait "$inner" || die "the MooseFS run failed"
  inner=
}

# Median of a gale-bench metric (empty when absent).
gale() {
  [ -n "$gale_file" ] || return 0
  jq -r --arg s "$1" --arg n "$2" \
    'first(.metrics[] | select(.scenario == $s and .name == $n) | .median) // empty' "$gale_file"
}

best() {
  printf '%s\n' "$@" | awk 'NF { if (!seen || $1 > m) m = $1; seen = 1 } END { if (seen) print m }'
}

moose() {
  awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$work/moosefs/results"
}

# One row: name, Gale, MooseFS, minimum ratio for PASS (empty: no goal).
row() {
  local name=$1 g=$2 m=$3 min=$4 ratio=- verdict=- goal_text=-
  if [ -n "$g" ]; then
    g=$(calc a "$g")
    ratio=$(calc 'a / b' "$g" "$m")
  fi
  if [ -n "$min" ]; then
    goal_text="Gale >= ${min}x"
    [ -z "$g" ] || verdict=$(awk -v r="$ratio" -v m="$min" 'BEGIN { print (r >= m) ? "PASS" : "MISS" }')
  fi
  printf '%-24s %10s %10s %12s %14s %6s\n' "$name" "${g:--}" "$m" "$ratio" "$goal_text" "$verdict"
  rows+=("$(jq -cn --arg name "$name" --arg g "$g" --arg m "$m" --arg r "$ratio" --arg goal "$goal_text" \
    --arg v "$verdict" '{name: $name, gale: ($g | tonumber? // null), moosefs: ($m | tonumber),
      ratio: ($r | tonumber? // null), goal: (if $goal == "-" then null else $goal end),
      result: (if $v == "-" then null else $v end)}')")
}

report() {
  local gw gr
  rows=()
  gw=$(best "$(gale data upload.f3.c4m.s1)" "$(gale data upload.f3.c16m.s1)")
  gr=$(best "$(gale data download.f3.c4m.s1)" "$(gale data download.f3.c16m.s1)")
  echo
  echo "MooseFS $(moose moosefs_version) through $(moose client): goal $(moose goal)," \
    "$chunkservers chunkservers (data), $recovery_chunkservers (recovery)," \
    "REPLICATIONS_DELAY_INIT = 0, HDD_FSYNC_BEFORE_CLOSE = $cs_fsync, nice 0;" \
    "client cache dropped before reading by: $(moose cache_drop)"
  echo "  $size_mib MiB sequential, $small_files files of 64 KiB on $small_streams streams;" \
    "recovery: $(moose repaired_mib) MiB re-replicated, detected after $(moose detect_seconds) s"
  if [ -n "$gale_file" ]; then
    echo "Gale: medians of $gale_file (write/read: best of 4 and 16 MiB chunks, 1 stream, factor 3)"
  else
    echo "Gale: figures not available (no --gale-json, no build/bin/gale-bench, or --no-gale)"
  fi
  echo
  printf '%-24s %10s %10s %12s %14s %6s\n' figure Gale MooseFS Gale/MooseFS goal result
  row "write MiB/s" "$gw" "$(moose write_mibps)" 2
  row "read MiB/s" "$gr" "$(moose read_mibps)" 2
  row "small-file creates/s" "$(gale data small_files.f3)" "$(moose small_files_per_s)" ""
  row "repair MiB/s" "$(gale recovery repair_mibps)" "$(moose repair_mibps)" 1
  row "repair seconds" "$(gale recovery redundancy_seconds)" "$(moose redundancy_seconds)" ""
  [ -z "$json_out" ] || write_json
}

write_json() {
  local key
  local -a fields=()
  for key in moosefs_version client goal cache_drop write_mibps read_mibps small_files_per_s \
    repair_mibps redundancy_seconds detect_seconds repaired_mib; do
    fields+=(--arg "$key" "$(moose "$key")")
  done
  printf '%s\n' "${rows[@]}" | jq -s "${fields[@]}" --argjson cs "$chunkservers" \
    --argjson rcs "$recovery_chunkservers" --argjson fsync "$cs_fsync" --arg gale "$gale_file" \
    --argjson size "$size_mib" --argjson small "$small_files" --argjson streams "$small_streams" \
    --argjson rmib "$recovery_mib" '
    def num: tonumber? // .;
    {moosefs: {version: $moosefs_version, client: $client, goal: ($goal | num),
               chunkservers: $cs, recovery_chunkservers: $rcs, replications_delay_init: 0,
               hdd_fsync_before_close: $fsync, cache_drop: $cache_drop, size_mib: $size,
               small_files: $small, small_streams: $streams, recovery_mib: $rmib,
               write_mibps: ($write_mibps | num), read_mibps: ($read_mibps | num),
               small_files_per_s: ($small_files_per_s | num), repair_mibps: ($repair_mibps | num),
               redundancy_seconds: ($redundancy_seconds | num), detect_seconds: ($detect_seconds | num),
               repaired_mib: ($repaired_mib | num)},
     gale_json: (if $gale == "" then null else $gale end),
     rows: .}' >"$json_out"
  log "wrote $json_out"
}

main() {
  parse_args "$@"
  if [ -n "$inside" ]; then
    inside_main
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    exec sudo -- "$script" "$@"
  fi
  [ -z "$gale_json" ] || [ -r "$gale_json" ] || die "cannot read $gale_json"
  install_moosefs
  work=$(mktemp -d "${TMPDIR:-/tmp}/gale-moosefs.XXXXXX")
  trap outside_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  gale_file=$(gale_figures)
  run_moosefs "$@"
  report
}

main "$@"
